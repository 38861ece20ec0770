import type { DatabaseSync } from 'node:sqlite';
import type { AccountDeviceStore, SessionActivityRecord } from '../account-lifecycle-ports.ts';
import { guarded } from './map-sqlite-error.ts';

const COLUMNS = 'session_uid, account_id, user_agent, ip, signed_in_at, last_used_at, expires_at';

function toRecord(row: Record<string, unknown>): SessionActivityRecord {
  return {
    sessionUid: row.session_uid as string,
    accountId: row.account_id as string,
    userAgent: row.user_agent === null ? undefined : (row.user_agent as string),
    ip: row.ip === null ? undefined : (row.ip as string),
    signedInAt: row.signed_in_at as number,
    lastUsedAt: row.last_used_at as number,
    expiresAt: row.expires_at as number,
  };
}

/** Session activity in `session_activity`, known devices in `account_devices`. */
export function createSqliteAccountDeviceStore(
  db: DatabaseSync,
  now: () => number,
): AccountDeviceStore {
  const upsert = db.prepare(
    `INSERT INTO session_activity (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (session_uid) DO UPDATE SET user_agent = excluded.user_agent, ip = excluded.ip,
       last_used_at = excluded.last_used_at, expires_at = excluded.expires_at`,
  );
  const list = db.prepare(
    `SELECT ${COLUMNS} FROM session_activity WHERE account_id = ? AND expires_at > ?
     ORDER BY last_used_at DESC`,
  );
  const removeSession = db.prepare('DELETE FROM session_activity WHERE session_uid = ?');
  // DO NOTHING + the change count: one statement decides which caller saw the device first.
  const remember = db.prepare(
    `INSERT INTO account_devices (account_id, device_hash, first_seen_at) VALUES (?, ?, ?)
     ON CONFLICT (account_id, device_hash) DO NOTHING`,
  );
  const removeSessions = db.prepare('DELETE FROM session_activity WHERE account_id = ?');
  const removeDevices = db.prepare('DELETE FROM account_devices WHERE account_id = ?');
  const sweep = db.prepare('DELETE FROM session_activity WHERE expires_at <= ?');

  return {
    async recordSession(r) {
      guarded(() =>
        upsert.run(
          r.sessionUid,
          r.accountId,
          r.userAgent ?? null,
          r.ip ?? null,
          r.signedInAt,
          r.lastUsedAt,
          r.expiresAt,
        ),
      );
    },

    async listSessions(accountId) {
      return guarded(() => list.all(accountId, now())).map(toRecord);
    },

    async removeSession(sessionUid) {
      guarded(() => removeSession.run(sessionUid));
    },

    async rememberDevice(accountId, deviceHash, at) {
      return Number(guarded(() => remember.run(accountId, deviceHash, at)).changes) > 0;
    },

    async removeForAccount(accountId) {
      return guarded(
        () =>
          Number(removeSessions.run(accountId).changes) +
          Number(removeDevices.run(accountId).changes),
      );
    },

    async sweepExpired() {
      return Number(guarded(() => sweep.run(now())).changes);
    },
  };
}
