import type { DatabaseSync } from 'node:sqlite';
import { checkCounterHit } from '../check-counter-hit.ts';
import type { CounterState, CounterStore } from '../ports.ts';
import { guarded } from './map-sqlite-error.ts';

function toState(row: Record<string, unknown>): CounterState {
  return { count: row.count as number, resetAt: row.reset_at as number };
}

/** Fixed-window counters in the `counters` table, shared by every process on the file. */
export function createSqliteCounterStore(db: DatabaseSync, now: () => number): CounterStore {
  // One statement is the whole read-modify-write, so it is atomic across connections and
  // processes (SQLite serialises writers). A window has ended once `reset_at <= now`: then the
  // counter restarts at `by` with a new end; inside the window the end never moves. In an
  // UPDATE every right-hand side reads the row as it was, so both CASEs test the old reset_at.
  const hit = db.prepare(
    `INSERT INTO counters (key, count, reset_at) VALUES (?1, ?2, ?3 + ?4)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN reset_at <= ?3 THEN excluded.count ELSE count + excluded.count END,
       reset_at = CASE WHEN reset_at <= ?3 THEN excluded.reset_at ELSE reset_at END
     RETURNING count, reset_at`,
  );
  const get = db.prepare('SELECT count, reset_at FROM counters WHERE key = ? AND reset_at > ?');
  const reset = db.prepare('DELETE FROM counters WHERE key = ?');
  const sweep = db.prepare('DELETE FROM counters WHERE reset_at <= ?');

  return {
    async hit(key, windowMs, by = 1) {
      checkCounterHit(windowMs, by);
      const row = guarded(() => hit.get(key, by, now(), windowMs));
      // RETURNING always yields the row it wrote.
      if (row === undefined) throw new Error('counter upsert returned no row');
      return toState(row);
    },

    async get(key) {
      const row = guarded(() => get.get(key, now()));
      return row === undefined ? undefined : toState(row);
    },

    async reset(key) {
      guarded(() => reset.run(key));
    },

    async sweepExpired() {
      return Number(guarded(() => sweep.run(now())).changes);
    },
  };
}
