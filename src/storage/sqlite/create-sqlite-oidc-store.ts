import type { DatabaseSync } from 'node:sqlite';
import { payloadStringField } from '../payload-string-field.ts';
import type { ListPage, OidcModelStore, OidcPayload } from '../ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { guarded } from './map-sqlite-error.ts';

/** A looked-up payload field as a column value: SQL NULL when absent or not a string. */
function stringField(payload: OidcPayload, field: string): string | null {
  return payloadStringField(payload, field) ?? null;
}

/** The `consumed` column mirrors `payload.consumed` so an upserted consumed entry stays consumed. */
function consumedField(payload: OidcPayload): number | null {
  const value = payload.consumed;
  if (value === undefined || value === null) return null;
  return typeof value === 'number' ? value : 1;
}

/** The values of one `oidc_entries` row, in the column order both writing statements use. */
function columns(model: string, id: string, payload: OidcPayload, expiresAt: number | undefined) {
  return [
    model,
    id,
    JSON.stringify(payload),
    stringField(payload, 'grantId'),
    stringField(payload, 'uid'),
    stringField(payload, 'userCode'),
    stringField(payload, 'accountId'),
    stringField(payload, 'clientId'),
    expiresAt ?? null,
    consumedField(payload),
  ] as const;
}

/**
 * oidc-provider models in one `oidc_entries` table. This is the hot path (token issuance,
 * introspection, userinfo): statements are prepared once, and each call is one statement.
 */
export function createSqliteOidcStore(
  db: DatabaseSync,
  now: () => number,
): OidcModelStore & { sweepExpired(): number } {
  const live = '(expires_at IS NULL OR expires_at > ?)';
  // INSERT OR REPLACE deletes, in the same statement, any row that conflicts on the primary key
  // or on the unique (model, uid) / (model, user_code) indexes: the newer entry wins, as
  // oidc-provider's concurrent session re-saves need, with no unique-constraint error.
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO oidc_entries
       (model, id, payload, grant_id, uid, user_code, account_id, client_id, expires_at, consumed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // One statement is atomic across connections and processes: it inserts, replaces an expired
  // entry, or (a live one holds the id) changes nothing, which `changes` tells apart.
  const insertIfAbsent = db.prepare(
    `INSERT INTO oidc_entries
       (model, id, payload, grant_id, uid, user_code, account_id, client_id, expires_at, consumed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model, id) DO UPDATE SET
       payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
       user_code = excluded.user_code, account_id = excluded.account_id,
       client_id = excluded.client_id, expires_at = excluded.expires_at, consumed = excluded.consumed
     WHERE oidc_entries.expires_at IS NOT NULL AND oidc_entries.expires_at <= ?`,
  );
  const find = db.prepare(
    `SELECT payload FROM oidc_entries WHERE model = ? AND id = ? AND ${live}`,
  );
  const findByUid = db.prepare(
    `SELECT payload FROM oidc_entries WHERE model = ? AND uid = ? AND ${live}`,
  );
  const findByUserCode = db.prepare(
    `SELECT payload FROM oidc_entries WHERE model = ? AND user_code = ? AND ${live}`,
  );
  // RFC 6749 §4.1.2: a code is used at most once. One conditional UPDATE is the whole check and
  // set, so of two concurrent calls (even from two processes) only one changes a row. node:sqlite
  // binds JS numbers as REAL; the CAST keeps `consumed` an integer in the JSON.
  const consume = db.prepare(
    `UPDATE oidc_entries SET consumed = ?, payload = json_set(payload, '$.consumed', CAST(? AS INTEGER))
     WHERE model = ? AND id = ? AND consumed IS NULL AND ${live}`,
  );
  const destroy = db.prepare('DELETE FROM oidc_entries WHERE model = ? AND id = ?');
  const revoke = db.prepare('DELETE FROM oidc_entries WHERE model = ? AND grant_id = ?');
  // Oldest `iat` first (NULLs first), then id: the same order on every backend.
  const findByAccountId = db.prepare(
    `SELECT id, payload FROM oidc_entries WHERE model = ? AND account_id = ? AND ${live}
     ORDER BY json_extract(payload, '$.iat'), id LIMIT ?`,
  );
  // Expired leftovers go too, but only live entries are counted: for every reader the expired
  // ones were gone already.
  const revokeByAccountId = db.prepare(
    `DELETE FROM oidc_entries WHERE model = ? AND account_id = ? RETURNING ${live} AS live`,
  );
  const revokeByClientId = db.prepare(
    `DELETE FROM oidc_entries WHERE model = ? AND client_id = ? RETURNING ${live} AS live`,
  );
  const firstPage = db.prepare(
    `SELECT id, payload FROM oidc_entries WHERE model = ? AND ${live} ORDER BY id LIMIT ?`,
  );
  const nextPage = db.prepare(
    `SELECT id, payload FROM oidc_entries WHERE model = ? AND id > ? AND ${live} ORDER BY id LIMIT ?`,
  );
  const sweep = db.prepare('DELETE FROM oidc_entries WHERE expires_at <= ?');

  const parse = (row: Record<string, unknown> | undefined): OidcPayload | undefined =>
    row === undefined ? undefined : (JSON.parse(row.payload as string) as OidcPayload);

  return {
    async upsert(model, id, payload, expiresAt) {
      guarded(() => upsert.run(...columns(model, id, payload, expiresAt)));
    },

    async insertIfAbsent(model, id, payload, expiresAt) {
      const result = guarded(() =>
        insertIfAbsent.run(...columns(model, id, payload, expiresAt), now()),
      );
      return Number(result.changes) === 1;
    },

    async find(model, id) {
      return parse(guarded(() => find.get(model, id, now())));
    },

    async findByUid(model, uid) {
      return parse(guarded(() => findByUid.get(model, uid, now())));
    },

    async findByUserCode(model, userCode) {
      return parse(guarded(() => findByUserCode.get(model, userCode, now())));
    },

    async consume(model, id) {
      const at = now();
      // oidc-provider reads `consumed` as epoch seconds.
      const seconds = Math.floor(at / 1000);
      return Number(guarded(() => consume.run(seconds, seconds, model, id, at)).changes) === 1;
    },

    async destroy(model, id) {
      guarded(() => destroy.run(model, id));
    },

    async revokeByGrantId(model, grantId) {
      guarded(() => revoke.run(model, grantId));
    },

    async findByAccountId(model, accountId, limit) {
      return guarded(() => findByAccountId.all(model, accountId, now(), limit)).map((row) => ({
        id: row.id as string,
        payload: JSON.parse(row.payload as string) as OidcPayload,
      }));
    },

    async revokeByAccountId(model, accountId) {
      const rows = guarded(() => revokeByAccountId.all(model, accountId, now()));
      return rows.filter((row) => row.live === 1).length;
    },

    async revokeByClientId(model, clientId) {
      const rows = guarded(() => revokeByClientId.all(model, clientId, now()));
      return rows.filter((row) => row.live === 1).length;
    },

    async list(model, options): Promise<ListPage<{ id: string; payload: OidcPayload }>> {
      const after = decodeCursor(options.cursor);
      // One row more than asked tells whether another page exists without an extra query.
      const rows = guarded(() =>
        after === undefined
          ? firstPage.all(model, now(), options.limit + 1)
          : nextPage.all(model, after, now(), options.limit + 1),
      );
      const items = rows.slice(0, options.limit).map((row) => ({
        id: row.id as string,
        payload: JSON.parse(row.payload as string) as OidcPayload,
      }));
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > options.limit && last !== undefined ? encodeCursor(last.id) : undefined,
      };
    },

    sweepExpired() {
      return Number(guarded(() => sweep.run(now())).changes);
    },
  };
}
