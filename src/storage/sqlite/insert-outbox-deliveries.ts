import type { DatabaseSync } from 'node:sqlite';
import type { NewOutboxDelivery } from '../outbox-ports.ts';
import { StoreConflictError } from '../ports.ts';

/**
 * SQLite extended result codes of a PRIMARY KEY and a UNIQUE violation (sqlite.org/rescode.html);
 * other constraint failures (a trigger's RAISE, a CHECK) are not a taken id.
 */
const TAKEN_ID = new Set([1555, 2067]);

/**
 * The one INSERT of outbox rows, shared by `outbox.enqueue` and `events.appendWithDeliveries`
 * (which runs it in the event's transaction). Synchronous, and it opens no transaction: the
 * caller wraps it in one, so a taken id (`StoreConflictError('id')`) rolls back everything.
 */
export function outboxInserter(
  db: DatabaseSync,
): (deliveries: readonly NewOutboxDelivery[], createdAt: number) => void {
  const insert = db.prepare(
    `INSERT INTO outbox (id, kind, url, body, content_type, target, topic, state, available_at,
       attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, 0, ?)`,
  );
  return function insertDeliveries(deliveries, createdAt) {
    for (const d of deliveries) {
      try {
        insert.run(
          d.id,
          d.kind,
          d.url,
          d.body,
          d.contentType,
          d.target,
          d.topic,
          d.availableAt,
          createdAt,
        );
      } catch (error) {
        const errcode = (error as { errcode?: unknown }).errcode;
        if (typeof errcode === 'number' && TAKEN_ID.has(errcode)) {
          throw new StoreConflictError('id');
        }
        throw error;
      }
    }
  };
}
