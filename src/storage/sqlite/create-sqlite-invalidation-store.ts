import type { DatabaseSync } from 'node:sqlite';
import type { InvalidationStore } from '../ports.ts';
import { guarded } from './map-sqlite-error.ts';

/** The change feed in the shared SQLite file: every process on it polls the same table. */
export function createSqliteInvalidationStore(
  db: DatabaseSync,
  now: () => number,
): InvalidationStore {
  const append = db.prepare('INSERT INTO cache_invalidations (time, keys) VALUES (?, ?)');
  const since = db.prepare(
    'SELECT id, time, keys FROM cache_invalidations WHERE time >= ? ORDER BY time, id LIMIT ?',
  );
  const prune = db.prepare('DELETE FROM cache_invalidations WHERE time < ?');
  return {
    async append(keys) {
      guarded(() => append.run(now(), JSON.stringify(keys)));
    },
    async since(from, limit) {
      return guarded(() => since.all(from, limit)).map((row) => ({
        id: String(row.id),
        time: Number(row.time),
        keys: JSON.parse(String(row.keys)) as string[],
      }));
    },
    async pruneBefore(time) {
      return Number(guarded(() => prune.run(time)).changes);
    },
  };
}
