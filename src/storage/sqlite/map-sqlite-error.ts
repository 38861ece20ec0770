import { StoreUnavailableError } from '../ports.ts';

// SQLite primary result codes (https://sqlite.org/rescode.html) meaning "the database cannot
// serve us now", as opposed to a bug or a constraint: BUSY, LOCKED, READONLY, IOERR, CORRUPT,
// FULL, CANTOPEN, NOTADB.
const UNAVAILABLE_CODES = new Set([5, 6, 8, 10, 11, 13, 14, 26]);

/**
 * Turns a closed, locked or unreadable database into `StoreUnavailableError` (503 upstream);
 * rethrows anything else unchanged. The message is generic: SQLite's own may name file paths.
 */
export function mapSqliteError(error: unknown): never {
  // Duck-typed, not `instanceof Error`: errors from Node built-ins come from another realm under
  // jest's VM modules, and the fields below are all we rely on.
  if (typeof error === 'object' && error !== null) {
    const { code, errcode } = error as { code?: unknown; errcode?: unknown };
    // node:sqlite reports a closed database or finalised statement as ERR_INVALID_STATE.
    if (code === 'ERR_INVALID_STATE')
      throw new StoreUnavailableError('sqlite store is closed', { cause: error });
    if (
      code === 'ERR_SQLITE_ERROR' &&
      typeof errcode === 'number' &&
      UNAVAILABLE_CODES.has(errcode & 0xff)
    ) {
      throw new StoreUnavailableError('sqlite store is unavailable', { cause: error });
    }
  }
  throw error;
}

/** Runs synchronous database work, mapping availability failures (see `mapSqliteError`). */
export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    return mapSqliteError(error);
  }
}
