import type { StoreOptions } from '../ports.ts';

/** Where the backend reports what it did (index creation, connection attempts, sweeps). */
export type MongoStoreLog = (msg: string, fields?: object) => void;

export interface MongoConnectionOptions {
  /** MongoDB connection string (`mongodb://` or `mongodb+srv://`). May carry credentials: it is
   *  never logged or put in an error message. */
  uri: string;
  /** Database name; defaults to the one in the URI's path, else `portcullis`. */
  dbName?: string;
  /** Driver connection pool size per process (driver default 100). */
  maxPoolSize?: number;
  /** How long an operation waits for a reachable server before failing with
   *  `StoreUnavailableError` (default 5000 ms: `/readyz` and 503s should answer promptly). */
  serverSelectionTimeoutMs?: number;
  /** Connection attempts at start before giving up (default 10), with exponential backoff. */
  connectAttempts?: number;
  /** First backoff delay between start attempts (default 500 ms; doubles, capped at 10 s). */
  connectBackoffMs?: number;
  log?: MongoStoreLog;
}

export interface MongoStoreOptions extends StoreOptions, MongoConnectionOptions {
  /** Interval of the expired-entry sweep used where the server has no TTL indexes
   *  (default 60 000 ms, MongoDB's own TTL monitor interval). */
  sweepIntervalMs?: number;
}
