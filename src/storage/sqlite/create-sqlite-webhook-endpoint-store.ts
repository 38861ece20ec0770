import type { DatabaseSync } from 'node:sqlite';
import { StoreConflictError } from '../ports.ts';
import type { WebhookEndpointRecord, WebhookEndpointStore } from '../outbox-ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { inTransaction } from './in-transaction.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = 'id, url, events, secret, description, disabled, created_at, updated_at';

function toRecord(row: Record<string, unknown>): WebhookEndpointRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    events: JSON.parse(row.events as string) as string[],
    secret: row.secret as string,
    description: row.description as string,
    disabled: row.disabled === 1,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}

/** Webhook endpoints in the `webhook_endpoints` table (`events` is a JSON array, read whole). */
export function createSqliteWebhookEndpointStore(db: DatabaseSync): WebhookEndpointStore {
  const insert = db.prepare(
    `INSERT INTO webhook_endpoints (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = ?`);
  const replace = db.prepare(
    `UPDATE webhook_endpoints SET url = ?, events = ?, secret = ?, description = ?, disabled = ?,
       updated_at = ? WHERE id = ?`,
  );
  const remove = db.prepare('DELETE FROM webhook_endpoints WHERE id = ?');
  const firstPage = db.prepare(`SELECT ${COLUMNS} FROM webhook_endpoints ORDER BY id LIMIT ?`);
  const nextPage = db.prepare(
    `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id > ? ORDER BY id LIMIT ?`,
  );

  return {
    async create(record) {
      guarded(() =>
        inTransaction(db, () => {
          if (byId.get(record.id) !== undefined) throw new StoreConflictError('id');
          insert.run(
            record.id,
            record.url,
            JSON.stringify(record.events),
            record.secret,
            record.description,
            record.disabled ? 1 : 0,
            record.createdAt,
            record.updatedAt,
          );
        }),
      );
    },

    async findById(id) {
      const row = guarded(() => byId.get(id));
      return row === undefined ? undefined : toRecord(row);
    },

    async update(id, patch, updatedAt) {
      return guarded(() =>
        inTransaction(db, () => {
          const row = byId.get(id);
          if (row === undefined) return undefined;
          const current = toRecord(row);
          const next: WebhookEndpointRecord = {
            ...current,
            url: patch.url ?? current.url,
            events: patch.events ?? current.events,
            secret: patch.secret ?? current.secret,
            description: patch.description ?? current.description,
            disabled: patch.disabled ?? current.disabled,
            updatedAt,
          };
          replace.run(
            next.url,
            JSON.stringify(next.events),
            next.secret,
            next.description,
            next.disabled ? 1 : 0,
            updatedAt,
            id,
          );
          return next;
        }),
      );
    },

    async remove(id) {
      return guarded(() => remove.run(id)).changes === 1;
    },

    async list(options) {
      const after = decodeCursor(options.cursor);
      const rows = guarded(() =>
        after === undefined
          ? firstPage.all(options.limit + 1)
          : nextPage.all(after, options.limit + 1),
      );
      const items = rows.slice(0, options.limit).map(toRecord);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > options.limit && last !== undefined ? encodeCursor(last.id) : undefined,
      };
    },
  };
}
