import type { DatabaseSync } from 'node:sqlite';
import type { AccountTokenRecord, AccountTokenStore } from '../account-lifecycle-ports.ts';
import { StoreConflictError } from '../ports.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = 'hash, purpose, account_id, email, created_at, expires_at';

function toRecord(row: Record<string, unknown>): AccountTokenRecord {
  return {
    hash: row.hash as string,
    purpose: row.purpose as AccountTokenRecord['purpose'],
    accountId: row.account_id as string,
    email: row.email === null ? undefined : (row.email as string),
    createdAt: row.created_at as number,
    expiresAt: row.expires_at as number,
  };
}

/** One-time link records in `account_tokens`; `consume` is one `DELETE … RETURNING`. */
export function createSqliteAccountTokenStore(
  db: DatabaseSync,
  now: () => number,
): AccountTokenStore {
  const insert = db.prepare(
    `INSERT INTO account_tokens (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
  );
  const find = db.prepare(
    `SELECT ${COLUMNS} FROM account_tokens WHERE hash = ? AND purpose = ? AND expires_at > ?`,
  );
  // One statement, so of two concurrent uses of a link exactly one deletes (and gets) the row.
  const consume = db.prepare(
    `DELETE FROM account_tokens WHERE hash = ? AND purpose = ? AND expires_at > ? RETURNING ${COLUMNS}`,
  );
  const removeAll = db.prepare('DELETE FROM account_tokens WHERE account_id = ?');
  const removeOfPurpose = db.prepare(
    'DELETE FROM account_tokens WHERE account_id = ? AND purpose = ?',
  );
  const sweep = db.prepare('DELETE FROM account_tokens WHERE expires_at <= ?');

  return {
    async create(record) {
      const result = guarded(() =>
        insert.run(
          record.hash,
          record.purpose,
          record.accountId,
          record.email ?? null,
          record.createdAt,
          record.expiresAt,
        ),
      );
      if (Number(result.changes) === 0) throw new StoreConflictError('hash');
    },

    async find(hash, purpose) {
      const row = guarded(() => find.get(hash, purpose, now()));
      return row === undefined ? undefined : toRecord(row);
    },

    async consume(hash, purpose) {
      const row = guarded(() => consume.get(hash, purpose, now()));
      return row === undefined ? undefined : toRecord(row);
    },

    async removeForAccount(accountId, purpose) {
      const result = guarded(() =>
        purpose === undefined ? removeAll.run(accountId) : removeOfPurpose.run(accountId, purpose),
      );
      return Number(result.changes);
    },

    async sweepExpired() {
      return Number(guarded(() => sweep.run(now())).changes);
    },
  };
}
