import type { AccountDeviceStore, SessionActivityRecord } from '../account-lifecycle-ports.ts';

/** Session activity and known devices in Maps; every method is synchronous inside, hence atomic. */
export function createMemoryAccountDeviceStore(now: () => number): AccountDeviceStore {
  const sessions = new Map<string, SessionActivityRecord>();
  // `${accountId}\n${deviceHash}`: a newline appears in neither.
  const devices = new Set<string>();
  const deviceKey = (accountId: string, deviceHash: string) => `${accountId}\n${deviceHash}`;

  return {
    async recordSession(record) {
      const existing = sessions.get(record.sessionUid);
      sessions.set(
        record.sessionUid,
        structuredClone(
          existing === undefined ? record : { ...record, signedInAt: existing.signedInAt },
        ),
      );
    },

    async listSessions(accountId) {
      return [...sessions.values()]
        .filter((s) => s.accountId === accountId && s.expiresAt > now())
        .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
        .map((s) => structuredClone(s));
    },

    async removeSession(sessionUid) {
      sessions.delete(sessionUid);
    },

    async rememberDevice(accountId, deviceHash) {
      const key = deviceKey(accountId, deviceHash);
      if (devices.has(key)) return false;
      devices.add(key);
      return true;
    },

    async removeForAccount(accountId) {
      let removed = 0;
      for (const [uid, record] of [...sessions]) {
        if (record.accountId === accountId) {
          sessions.delete(uid);
          removed += 1;
        }
      }
      for (const key of [...devices]) {
        if (key.startsWith(`${accountId}\n`)) {
          devices.delete(key);
          removed += 1;
        }
      }
      return removed;
    },

    async sweepExpired() {
      let removed = 0;
      for (const [uid, record] of [...sessions]) {
        if (record.expiresAt <= now()) {
          sessions.delete(uid);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
