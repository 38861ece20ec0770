import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { decodeEventCursor, encodeEventCursor } from '../event-cursor.ts';
import { StoreConflictError } from '../ports.ts';
import type { EventFilter, EventStore, SecurityEvent } from '../ports.ts';
import { inTransaction } from './in-transaction.ts';
import { outboxInserter } from './insert-outbox-deliveries.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = 'id, time, type, subject, client_id, actor, ip, user_agent, request_id, details';

function toEvent(row: Record<string, unknown>): SecurityEvent {
  const event: SecurityEvent = {
    id: row.id as string,
    time: row.time as number,
    type: row.type as string,
  };
  // Absent fields stay absent (not `undefined` keys), as they were appended.
  if (row.subject !== null) event.subject = row.subject as string;
  if (row.client_id !== null) event.clientId = row.client_id as string;
  if (row.actor !== null) event.actor = row.actor as string;
  if (row.ip !== null) event.ip = row.ip as string;
  if (row.user_agent !== null) event.userAgent = row.user_agent as string;
  if (row.request_id !== null) event.requestId = row.request_id as string;
  if (row.details !== null)
    event.details = JSON.parse(row.details as string) as SecurityEvent['details'];
  return event;
}

/**
 * A GLOB pattern matching every string that starts with `prefix`. GLOB is case-sensitive like
 * the other backends' prefix match, and on a BINARY column SQLite turns a literal-prefix GLOB
 * into an index range (sqlite.org/optoverview.html, "The LIKE optimization"). `*`, `?` and `[`
 * are made literal by bracketing them; `]` outside brackets is literal already.
 */
function globPrefix(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, (ch) => `[${ch}]`)}*`;
}

/**
 * Security events in the `events` table, listed newest first by (time, id). An event and the
 * deliveries it causes are one transaction (`appendWithDeliveries`).
 */
export function createSqliteEventStore(db: DatabaseSync, now: () => number): EventStore {
  // DO NOTHING + a change count reports a taken id without parsing a constraint error.
  const append = db.prepare(
    `INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
  );
  const prune = db.prepare('DELETE FROM events WHERE time < ?');
  // One statement: every event naming the user, as subject or actor, changes at once.
  const pseudonymise = db.prepare(
    `UPDATE events SET
       subject = CASE WHEN subject = ? THEN ? ELSE subject END,
       actor = CASE WHEN actor = ? THEN ? ELSE actor END,
       ip = NULL, user_agent = NULL
     WHERE subject = ? OR actor = ?`,
  );
  // Filters combine freely, so listing statements are built per combination of present filters
  // (at most 2^7 shapes, values always bound) and prepared once each.
  const listStatements = new Map<string, StatementSync>();
  const listStatement = (sql: string): StatementSync => {
    let statement = listStatements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      listStatements.set(sql, statement);
    }
    return statement;
  };

  const insertDeliveries = outboxInserter(db);
  const insertEvent = (event: SecurityEvent): void => {
    const result = append.run(
      event.id,
      event.time,
      event.type,
      event.subject ?? null,
      event.clientId ?? null,
      event.actor ?? null,
      event.ip ?? null,
      event.userAgent ?? null,
      event.requestId ?? null,
      event.details === undefined ? null : JSON.stringify(event.details),
    );
    if (Number(result.changes) === 0) throw new StoreConflictError('id');
  };

  return {
    async append(event) {
      guarded(() => insertEvent(event));
    },

    async appendWithDeliveries(event, deliveries) {
      // One IMMEDIATE transaction: the event and its outbox rows commit together, or a failure
      // of any (a taken id, a full disk) rolls all of them back.
      const createdAt = now();
      guarded(() =>
        inTransaction(db, () => {
          insertEvent(event);
          insertDeliveries(deliveries, createdAt);
        }),
      );
    },

    async list(filter: EventFilter, options) {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      const add = (clause: string, ...values: SQLInputValue[]): void => {
        where.push(clause);
        params.push(...values);
      };
      if (filter.type !== undefined) add('type = ?', filter.type);
      if (filter.typePrefix !== undefined) add('type GLOB ?', globPrefix(filter.typePrefix));
      if (filter.subject !== undefined) add('subject = ?', filter.subject);
      if (filter.clientId !== undefined) add('client_id = ?', filter.clientId);
      if (filter.since !== undefined) add('time >= ?', filter.since);
      if (filter.until !== undefined) add('time < ?', filter.until);
      const after = decodeEventCursor(options.cursor);
      // Keyset: strictly after the cursor's event in (time, id) descending order.
      if (after !== undefined) add('(time, id) < (?, ?)', after.time, after.id);

      const sql =
        `SELECT ${COLUMNS} FROM events` +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        ' ORDER BY time DESC, id DESC LIMIT ?';
      // One row more than asked tells whether another page exists without an extra query.
      const rows = guarded(() => listStatement(sql).all(...params, options.limit + 1));
      const items = rows.slice(0, options.limit).map(toEvent);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > options.limit && last !== undefined ? encodeEventCursor(last) : undefined,
      };
    },

    async pseudonymiseSubject(subject, pseudonym) {
      return Number(
        guarded(() => pseudonymise.run(subject, pseudonym, subject, pseudonym, subject, subject))
          .changes,
      );
    },

    async pruneBefore(time) {
      return Number(guarded(() => prune.run(time)).changes);
    },
  };
}
