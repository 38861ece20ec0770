import { join } from 'node:path';
import type { Config } from '../config/schema.ts';
import type { Store } from './ports.ts';
import { createMemoryStore } from './memory/create-memory-store.ts';
import { createSqliteStore } from './sqlite/create-sqlite-store.ts';
import { createMongoStore } from './mongodb/create-mongo-store.ts';
import { migrateMongoDatabase } from './mongodb/migrate-mongo-database.ts';

export const SQLITE_FILE_NAME = 'portcullis.db';

export interface CreateStoreOptions {
  now?: () => number;
  log?: (message: string, fields?: object) => void;
}

/** Opens the backend the configuration selects. The only place that knows every backend. */
export async function createStore(
  config: Pick<Config, 'store'>,
  options: CreateStoreOptions = {},
): Promise<Store> {
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

export interface MigrationReport {
  backend: Config['store']['backend'];
  /** Indexes created by this run (MongoDB); 0 when everything existed. */
  indexesCreated: number;
  /** False when the server refused TTL indexes and expired entries are swept instead. */
  ttlIndexes: boolean;
}

/**
 * Brings the configured store's schema up to date (SQLite migrations, MongoDB indexes and
 * backfills) and closes it: `portcullis db migrate`, for deploy pipelines that prepare the
 * database before new processes start. Idempotent.
 */
export async function migrateStore(
  config: Pick<Config, 'store'>,
  options: CreateStoreOptions = {},
): Promise<MigrationReport> {
  const { store } = config;
  if (store.backend === 'mongodb') {
    const result = await migrateMongoDatabase({
      uri: store.mongodb.uri ?? '',
      dbName: store.mongodb.dbName,
      serverSelectionTimeoutMs: store.mongodb.serverSelectionTimeoutMs,
      ...(options.log ? { log: options.log } : {}),
    });
    return { backend: 'mongodb', indexesCreated: result.created, ttlIndexes: result.ttlIndexes };
  }
  // Opening a SQLite store applies its pending migrations in one transaction.
  const opened = await createStore(config, options);
  await opened.close();
  return { backend: store.backend, indexesCreated: 0, ttlIndexes: true };
}
