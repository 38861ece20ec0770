import type { DatabaseSync } from 'node:sqlite';
import { StoreConflictError } from '../ports.ts';
import type { AccountRecord, AccountStore, ListPage } from '../ports.ts';
import { applyAccountPatch } from '../apply-account-patch.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { inTransaction } from './in-transaction.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = `id, username, username_normalized, email, email_normalized, email_verified, password_hash,
  disabled, claims, created_at, updated_at`;

function toRecord(row: Record<string, unknown>): AccountRecord {
  return {
    id: row.id as string,
    username: row.username as string,
    usernameNormalized: row.username_normalized as string,
    email: (row.email as string | null) ?? undefined,
    emailNormalized: (row.email_normalized as string | null) ?? undefined,
    emailVerified: row.email_verified === 1,
    passwordHash: row.password_hash as string,
    disabled: row.disabled === 1,
    claims: JSON.parse(row.claims as string) as Record<string, unknown>,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}

/**
 * Accounts in the `accounts` table. Unique indexes guard each column; the login field accepts a
 * username or an email, so a username must also differ from every other account's email and
 * vice versa: that cross-column check runs with the new row's write in one immediate transaction.
 */
export function createSqliteAccountStore(db: DatabaseSync): AccountStore {
  const insert = db.prepare(
    `INSERT INTO accounts (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const replace = db.prepare(
    `UPDATE accounts SET email = ?, email_normalized = ?, email_verified = ?, password_hash = ?, disabled = ?,
     claims = ?, updated_at = ? WHERE id = ?`,
  );
  const byId = db.prepare(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`);
  const byLogin = db.prepare(
    `SELECT ${COLUMNS} FROM accounts WHERE username_normalized = ?
     UNION ALL SELECT ${COLUMNS} FROM accounts WHERE email_normalized = ? LIMIT 1`,
  );
  const loginHolder = db.prepare(
    `SELECT id FROM accounts WHERE (username_normalized = ? OR email_normalized = ?) AND id <> ? LIMIT 1`,
  );
  const firstPage = db.prepare(
    `SELECT ${COLUMNS} FROM accounts ORDER BY username_normalized LIMIT ?`,
  );
  const nextPage = db.prepare(
    `SELECT ${COLUMNS} FROM accounts WHERE username_normalized > ? ORDER BY username_normalized LIMIT ?`,
  );

  const removeById = db.prepare('DELETE FROM accounts WHERE id = ?');

  const takenByOther = (login: string | undefined, id: string): boolean =>
    login !== undefined && loginHolder.get(login, login, id) !== undefined;

  return {
    async create(record) {
      guarded(() =>
        inTransaction(db, () => {
          if (byId.get(record.id) !== undefined) throw new StoreConflictError('id');
          if (takenByOther(record.usernameNormalized, record.id))
            throw new StoreConflictError('username');
          if (takenByOther(record.emailNormalized, record.id))
            throw new StoreConflictError('email');
          insert.run(
            record.id,
            record.username,
            record.usernameNormalized,
            record.email ?? null,
            record.emailNormalized ?? null,
            record.emailVerified ? 1 : 0,
            record.passwordHash,
            record.disabled ? 1 : 0,
            JSON.stringify(record.claims),
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

    async findByLogin(normalizedLogin) {
      const row = guarded(() => byLogin.get(normalizedLogin, normalizedLogin));
      return row === undefined ? undefined : toRecord(row);
    },

    async update(id, patch, updatedAt) {
      return guarded(() =>
        inTransaction(db, () => {
          const row = byId.get(id);
          if (row === undefined) return undefined;
          const next = applyAccountPatch(toRecord(row), patch, updatedAt);
          if (takenByOther(next.emailNormalized, id)) throw new StoreConflictError('email');
          replace.run(
            next.email ?? null,
            next.emailNormalized ?? null,
            next.emailVerified ? 1 : 0,
            next.passwordHash,
            next.disabled ? 1 : 0,
            JSON.stringify(next.claims),
            next.updatedAt,
            id,
          );
          return next;
        }),
      );
    },

    async list(options): Promise<ListPage<AccountRecord>> {
      const after = decodeCursor(options.cursor);
      // One row more than asked tells whether another page exists without an extra query.
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
          rows.length > options.limit && last !== undefined
            ? encodeCursor(last.usernameNormalized)
            : undefined,
      };
    },

    async remove(id) {
      return Number(guarded(() => removeById.run(id)).changes) > 0;
    },
  };
}
