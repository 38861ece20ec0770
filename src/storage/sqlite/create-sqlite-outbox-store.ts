import { randomBytes } from 'node:crypto';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type {
  ClaimedDelivery,
  OutboxDelivery,
  OutboxKind,
  OutboxState,
  OutboxStore,
} from '../outbox-ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { inTransaction } from './in-transaction.ts';
import { outboxInserter } from './insert-outbox-deliveries.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = `id, kind, url, body, content_type, target, topic, state, available_at, attempts,
  created_at, last_error, last_status, last_attempt_at`;

function toDelivery(row: Record<string, unknown>): OutboxDelivery {
  return {
    id: row.id as string,
    kind: row.kind as OutboxKind,
    url: row.url as string,
    body: row.body as string,
    contentType: row.content_type as string,
    target: row.target as string,
    topic: row.topic as string,
    state: row.state as OutboxState,
    availableAt: row.available_at as number,
    attempts: row.attempts as number,
    createdAt: row.created_at as number,
    lastError: (row.last_error as string | null) ?? undefined,
    lastStatus: (row.last_status as number | null) ?? undefined,
    lastAttemptAt: (row.last_attempt_at as number | null) ?? undefined,
  };
}

/**
 * The outbox in the `outbox` table. A claim is one `UPDATE … RETURNING` statement: SQLite runs
 * it under the database's write lock, so of two workers in any processes sharing the file only
 * one sees a row as due and moves it past its lease (sqlite.org/lang_returning.html).
 */
export function createSqliteOutboxStore(db: DatabaseSync, now: () => number): OutboxStore {
  const insert = outboxInserter(db);
  const claimDue = db.prepare(
    `UPDATE outbox SET lease_id = ?, available_at = ?
     WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND available_at <= ?
                  ORDER BY available_at, id LIMIT ?)
     RETURNING ${COLUMNS}`,
  );
  const claimOne = db.prepare(
    `UPDATE outbox SET lease_id = ?, available_at = ?
     WHERE id = ? AND state = 'pending' AND available_at <= ?
     RETURNING ${COLUMNS}`,
  );
  const complete = db.prepare(
    `DELETE FROM outbox WHERE id = ? AND lease_id = ? AND state = 'pending'`,
  );
  const retry = db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_status = ?,
       last_attempt_at = ?, lease_id = NULL, available_at = ?
     WHERE id = ? AND lease_id = ? AND state = 'pending'`,
  );
  const bury = db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_status = ?,
       last_attempt_at = ?, lease_id = NULL, state = 'dead'
     WHERE id = ? AND lease_id = ? AND state = 'pending'`,
  );
  const byId = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE id = ?`);
  const requeue = db.prepare(
    `UPDATE outbox SET state = 'pending', attempts = 0, available_at = ?, lease_id = NULL
     WHERE id = ? AND state = 'dead'`,
  );
  const remove = db.prepare('DELETE FROM outbox WHERE id = ?');

  return {
    async enqueue(deliveries) {
      if (deliveries.length === 0) return;
      const createdAt = now();
      guarded(() => inTransaction(db, () => insert(deliveries, createdAt)));
    },

    async claim({ leaseMs, limit, id }) {
      const time = now();
      const leaseId = randomBytes(12).toString('base64url');
      const leaseUntil = time + leaseMs;
      const rows = guarded(() =>
        id === undefined
          ? claimDue.all(leaseId, leaseUntil, time, limit)
          : claimOne.all(leaseId, leaseUntil, id, time),
      );
      return rows
        .map((row): ClaimedDelivery => ({ ...toDelivery(row), leaseId, leaseUntil }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    async complete(id, leaseId) {
      return guarded(() => complete.run(id, leaseId)).changes === 1;
    },

    async fail(id, leaseId, result) {
      const time = now();
      const status = result.status ?? null;
      const changes = guarded(() =>
        result.retryAt === undefined
          ? bury.run(result.error, status, time, id, leaseId)
          : retry.run(result.error, status, time, result.retryAt, id, leaseId),
      ).changes;
      return changes === 1;
    },

    async find(id) {
      const row = guarded(() => byId.get(id));
      return row === undefined ? undefined : toDelivery(row);
    },

    async list(filter, options) {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      if (filter.state !== undefined) {
        where.push('state = ?');
        params.push(filter.state);
      }
      if (filter.kind !== undefined) {
        where.push('kind = ?');
        params.push(filter.kind);
      }
      if (filter.target !== undefined) {
        where.push('target = ?');
        params.push(filter.target);
      }
      const after = decodeCursor(options.cursor);
      if (after !== undefined) {
        where.push('id > ?');
        params.push(after);
      }
      const sql = `SELECT ${COLUMNS} FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id LIMIT ?`;
      const rows = guarded(() => db.prepare(sql).all(...params, options.limit + 1));
      const items = rows.slice(0, options.limit).map(toDelivery);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > options.limit && last !== undefined ? encodeCursor(last.id) : undefined,
      };
    },

    async requeue(id) {
      return guarded(() => requeue.run(now(), id)).changes === 1;
    },

    async remove(id) {
      return guarded(() => remove.run(id)).changes === 1;
    },
  };
}
