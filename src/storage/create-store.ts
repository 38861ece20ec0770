import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Store } from './ports.ts';
import { createMemoryStore } from './memory/create-memory-store.ts';
import { createSqliteStore } from './sqlite/create-sqlite-store.ts';
import { createMongoStore } from './mongodb/create-mongo-store.ts';

export const SQLITE_FILE_NAME = 'portcullis.db';

export interface CreateStoreOptions {
  now?: () => number;
  log?: (message: string, fields?: object) => void;
}

/** Opens the backend the configuration selects. The only place that knows every backend. */
export async function createStore(config: Pick<Config, 'store'>, options: CreateStoreOptions = {}): Promise<Store> {
  const { store } = config;
  const now = options.now ?? Date.now;
  switch (store.backend) {
    case 'memory':
      return createMemoryStore({ now });
    case 'sqlite':
      return createSqliteStore({ now, file: join(store.dataDir, SQLITE_FILE_NAME) });
    case 'mongodb': {
      // The schema guarantees a uri when the backend is mongodb.
      const uri = store.mongodb.uri ?? '';
      return createMongoStore({
        now,
        uri,
        dbName: store.mongodb.dbName,
        maxPoolSize: store.mongodb.maxPoolSize,
        serverSelectionTimeoutMs: store.mongodb.serverSelectionTimeoutMs,
        ...(options.log ? { log: options.log } : {}),
      });
    }
  }
}
