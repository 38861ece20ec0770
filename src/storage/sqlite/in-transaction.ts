import type { DatabaseSync } from 'node:sqlite';

/**
 * Runs `work` in an immediate transaction: the write lock is taken at BEGIN, so a
 * check-then-write inside `work` cannot interleave with another connection's (SQLite docs,
 * "BEGIN IMMEDIATE"). `work` is synchronous, so nothing in this process interleaves either.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
