import type { DatabaseSync } from 'node:sqlite';
import { StoreConflictError } from '../ports.ts';
import type { CredentialStore, PasskeyRecord, TotpCredentialRecord } from '../credential-ports.ts';
import { inTransaction } from './in-transaction.ts';
import { guarded } from './map-sqlite-error.ts';

const optional = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;

function toTotp(row: Record<string, unknown>): TotpCredentialRecord {
  return {
    accountId: row.account_id as string,
    sealedSecret: row.sealed_secret as string,
    createdAt: row.created_at as number,
    confirmedAt: optional(row.confirmed_at),
    lastUsedAt: optional(row.last_used_at),
  };
}

function toPasskey(row: Record<string, unknown>): PasskeyRecord {
  const attachment = row.attachment;
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    name: row.name as string,
    publicKey: row.public_key as string,
    counter: row.counter as number,
    transports: JSON.parse(row.transports as string) as string[],
    attachment:
      attachment === 'platform' || attachment === 'cross-platform' ? attachment : undefined,
    deviceType: row.device_type === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: row.backed_up === 1,
    createdAt: row.created_at as number,
    lastUsedAt: optional(row.last_used_at),
  };
}

const PASSKEY_COLUMNS = `id, account_id, name, public_key, counter, transports, attachment,
  device_type, backed_up, created_at, last_used_at`;

/** Second factors in the `mfa_*` tables (migration 5). */
export function createSqliteCredentialStore(db: DatabaseSync): CredentialStore {
  const findTotp = db.prepare(
    `SELECT account_id, sealed_secret, created_at, confirmed_at, last_used_at
     FROM mfa_totp WHERE account_id = ?`,
  );
  const putTotp = db.prepare(
    `INSERT INTO mfa_totp (account_id, sealed_secret, created_at, confirmed_at, last_used_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET sealed_secret = excluded.sealed_secret,
       created_at = excluded.created_at, confirmed_at = excluded.confirmed_at,
       last_used_at = excluded.last_used_at`,
  );
  const clearSteps = db.prepare('DELETE FROM mfa_totp_steps WHERE account_id = ?');
  const confirmTotp = db.prepare(
    'UPDATE mfa_totp SET confirmed_at = ? WHERE account_id = ? AND sealed_secret = ?',
  );
  const removeTotp = db.prepare('DELETE FROM mfa_totp WHERE account_id = ?');
  // The primary key makes the step insert-once: the atomic "first use wins" of the port.
  const useStep = db.prepare(
    'INSERT INTO mfa_totp_steps (account_id, step) VALUES (?, ?) ON CONFLICT DO NOTHING',
  );
  const pruneSteps = db.prepare('DELETE FROM mfa_totp_steps WHERE account_id = ? AND step < ?');
  const touchTotp = db.prepare('UPDATE mfa_totp SET last_used_at = ? WHERE account_id = ?');
  const clearCodes = db.prepare('DELETE FROM mfa_recovery_codes WHERE account_id = ?');
  const addCode = db.prepare(
    'INSERT OR IGNORE INTO mfa_recovery_codes (account_id, hash, created_at) VALUES (?, ?, ?)',
  );
  const countCodes = db.prepare(
    'SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE account_id = ?',
  );
  const useCode = db.prepare('DELETE FROM mfa_recovery_codes WHERE account_id = ? AND hash = ?');
  const addPasskey = db.prepare(
    `INSERT INTO mfa_passkeys (${PASSKEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO NOTHING`,
  );
  const findPasskey = db.prepare(`SELECT ${PASSKEY_COLUMNS} FROM mfa_passkeys WHERE id = ?`);
  const listPasskeys = db.prepare(
    `SELECT ${PASSKEY_COLUMNS} FROM mfa_passkeys WHERE account_id = ? ORDER BY created_at, id`,
  );
  const usePasskey = db.prepare(
    'UPDATE mfa_passkeys SET counter = ?, backed_up = ?, last_used_at = ? WHERE id = ?',
  );
  const removePasskey = db.prepare('DELETE FROM mfa_passkeys WHERE account_id = ? AND id = ?');
  const removePasskeys = db.prepare('DELETE FROM mfa_passkeys WHERE account_id = ?');

  return {
    async findTotp(accountId) {
      const row = guarded(() => findTotp.get(accountId));
      return row ? toTotp(row) : undefined;
    },

    async putTotp(record) {
      guarded(() =>
        inTransaction(db, () => {
          putTotp.run(
            record.accountId,
            record.sealedSecret,
            record.createdAt,
            record.confirmedAt ?? null,
            record.lastUsedAt ?? null,
          );
          clearSteps.run(record.accountId);
        }),
      );
    },

    async confirmTotp(accountId, sealedSecret, confirmedAt) {
      const result = guarded(() => confirmTotp.run(confirmedAt, accountId, sealedSecret));
      return Number(result.changes) === 1;
    },

    async removeTotp(accountId) {
      return guarded(() =>
        inTransaction(db, () => {
          clearSteps.run(accountId);
          return Number(removeTotp.run(accountId).changes) === 1;
        }),
      );
    },

    async useTotpStep(accountId, step, usedAt) {
      return guarded(() =>
        inTransaction(db, () => {
          if (Number(useStep.run(accountId, step).changes) !== 1) return false;
          touchTotp.run(usedAt, accountId);
          // Steps older than the verification window can never be presented again.
          pruneSteps.run(accountId, step - 2);
          return true;
        }),
      );
    },

    async replaceRecoveryCodes(accountId, hashes, createdAt) {
      guarded(() =>
        inTransaction(db, () => {
          clearCodes.run(accountId);
          for (const hash of hashes) addCode.run(accountId, hash, createdAt);
        }),
      );
    },

    async countRecoveryCodes(accountId) {
      const row = guarded(() => countCodes.get(accountId));
      return Number(row?.n ?? 0);
    },

    async useRecoveryCode(accountId, hash) {
      // One DELETE: of two connections deleting one row, exactly one sees a change.
      return Number(guarded(() => useCode.run(accountId, hash)).changes) === 1;
    },

    async addPasskey(record) {
      const result = guarded(() =>
        addPasskey.run(
          record.id,
          record.accountId,
          record.name,
          record.publicKey,
          record.counter,
          JSON.stringify(record.transports),
          record.attachment ?? null,
          record.deviceType,
          record.backedUp ? 1 : 0,
          record.createdAt,
          record.lastUsedAt ?? null,
        ),
      );
      if (Number(result.changes) === 0) throw new StoreConflictError('id');
    },

    async findPasskey(id) {
      const row = guarded(() => findPasskey.get(id));
      return row ? toPasskey(row) : undefined;
    },

    async listPasskeys(accountId) {
      return guarded(() => listPasskeys.all(accountId)).map(toPasskey);
    },

    async recordPasskeyUse(id, use) {
      const result = guarded(() =>
        usePasskey.run(use.counter, use.backedUp ? 1 : 0, use.usedAt, id),
      );
      return Number(result.changes) === 1;
    },

    async removePasskey(accountId, id) {
      return Number(guarded(() => removePasskey.run(accountId, id)).changes) === 1;
    },

    async removeAll(accountId) {
      return guarded(() =>
        inTransaction(db, () => {
          clearSteps.run(accountId);
          return (
            Number(removeTotp.run(accountId).changes) +
            Number(clearCodes.run(accountId).changes) +
            Number(removePasskeys.run(accountId).changes)
          );
        }),
      );
    },
  };
}
