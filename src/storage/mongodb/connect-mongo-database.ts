/**
 * Opens the MongoDB connection at start, waiting with backoff while the server is unreachable
 * (a database container that starts alongside Portcullis) instead of crashing at the first
 * refusal. Once connected, the driver itself reconnects after outages.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import type { Db, MongoClientOptions } from 'mongodb';
import { StoreUnavailableError } from '../ports.ts';
import { isUnavailableError, toStoreError } from './mongo-errors.ts';
import type { MongoConnectionOptions, MongoStoreLog } from './mongo-store-options.ts';

const DEFAULT_DB_NAME = 'portcullis';
const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000;
const DEFAULT_CONNECT_ATTEMPTS = 10;
const DEFAULT_CONNECT_BACKOFF_MS = 500;
const MAX_CONNECT_BACKOFF_MS = 10_000;

export interface MongoDatabase {
  client: MongoClient;
  db: Db;
}

/** The database named in the URI's path (`mongodb://host/portcullis?...`), if any. */
function dbNameFromUri(uri: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1];
  return path === undefined || path === '' ? undefined : decodeURIComponent(path);
}

/** Option names present in the URI's query string, lower-cased (URI options are case-insensitive). */
function uriOptionNames(uri: string): Set<string> {
  const query = uri.split('?')[1] ?? '';
  return new Set([...new URLSearchParams(query).keys()].map((name) => name.toLowerCase()));
}

function clientOptions(options: MongoConnectionOptions): MongoClientOptions {
  const inUri = uriOptionNames(options.uri);
  const result: MongoClientOptions = {
    appName: 'portcullis',
    serverSelectionTimeoutMS:
      options.serverSelectionTimeoutMs ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
    // Payloads are JSON: an `undefined` property is absent, not BSON null.
    ignoreUndefined: true,
  };
  // Durability defaults, unless the connection string chose otherwise (options passed here
  // would override the URI's). `majority`: an acknowledged grant or refresh token survives a
  // primary failover; retryable writes: one transient network error does not fail a login.
  if (!inUri.has('w')) result.writeConcern = { w: 'majority' };
  if (!inUri.has('retrywrites')) result.retryWrites = true;
  if (options.maxPoolSize !== undefined) result.maxPoolSize = options.maxPoolSize;
  return result;
}

export async function connectMongoDatabase(
  options: MongoConnectionOptions,
  log: MongoStoreLog,
): Promise<MongoDatabase> {
  const attempts = Math.max(1, options.connectAttempts ?? DEFAULT_CONNECT_ATTEMPTS);
  let delay = options.connectBackoffMs ?? DEFAULT_CONNECT_BACKOFF_MS;
  const dbName = options.dbName ?? dbNameFromUri(options.uri) ?? DEFAULT_DB_NAME;

  for (let attempt = 1; ; attempt += 1) {
    let client: MongoClient | undefined;
    try {
      client = new MongoClient(options.uri, clientOptions(options));
      await client.connect();
      const db = client.db(dbName);
      await db.command({ ping: 1 });
      log('mongodb: connected', { attempt, db: dbName });
      return { client, db };
    } catch (error) {
      await client?.close().catch(() => undefined);
      // Only "cannot reach" is worth waiting for; a bad URI or bad credentials will not heal.
      if (!isUnavailableError(error)) throw toStoreError(error, 'connect');
      if (attempt >= attempts) {
        throw new StoreUnavailableError(
          `MongoDB is unreachable after ${String(attempts)} attempts`,
          {
            cause: error,
          },
        );
      }
      // The error name only: driver messages can name hosts, never the URI's credentials, but
      // one short reason per line keeps the start log readable.
      log('mongodb: not reachable yet, retrying', {
        attempt,
        attempts,
        retryInMs: delay,
        reason: error instanceof Error ? error.name : 'unknown',
      });
      await sleep(delay);
      delay = Math.min(delay * 2, MAX_CONNECT_BACKOFF_MS);
    }
  }
}
