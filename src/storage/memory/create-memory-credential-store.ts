import { StoreConflictError } from '../ports.ts';
import type { CredentialStore, PasskeyRecord, TotpCredentialRecord } from '../credential-ports.ts';

/**
 * Second factors in Maps. JavaScript runs one call at a time, so each method is atomic as the
 * port requires; copies in and out keep callers from changing stored state.
 */
export function createMemoryCredentialStore(): CredentialStore {
  const totp = new Map<string, TotpCredentialRecord>();
  /** Per account, the time steps already accepted. */
  const usedSteps = new Map<string, Set<number>>();
  /** Per account, the hashes of unused recovery codes. */
  const recovery = new Map<string, Set<string>>();
  const passkeys = new Map<string, PasskeyRecord>();

  const byAccount = (accountId: string) =>
    [...passkeys.values()]
      .filter((p) => p.accountId === accountId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return {
    async findTotp(accountId) {
      const found = totp.get(accountId);
      return found ? { ...found } : undefined;
    },

    async putTotp(record) {
      totp.set(record.accountId, { ...record });
      usedSteps.delete(record.accountId);
    },

    async confirmTotp(accountId, sealedSecret, confirmedAt) {
      const found = totp.get(accountId);
      if (!found || found.sealedSecret !== sealedSecret) return false;
      totp.set(accountId, { ...found, confirmedAt });
      return true;
    },

    async removeTotp(accountId) {
      usedSteps.delete(accountId);
      return totp.delete(accountId);
    },

    async useTotpStep(accountId, step, usedAt) {
      const steps = usedSteps.get(accountId) ?? new Set<number>();
      if (steps.has(step)) return false;
      steps.add(step);
      // Steps older than the verification window can never be presented again.
      for (const old of steps) if (old < step - 2) steps.delete(old);
      usedSteps.set(accountId, steps);
      const found = totp.get(accountId);
      if (found) totp.set(accountId, { ...found, lastUsedAt: usedAt });
      return true;
    },

    async replaceRecoveryCodes(accountId, hashes) {
      recovery.set(accountId, new Set(hashes));
    },

    async countRecoveryCodes(accountId) {
      return recovery.get(accountId)?.size ?? 0;
    },

    async useRecoveryCode(accountId, hash) {
      return recovery.get(accountId)?.delete(hash) ?? false;
    },

    async addPasskey(record) {
      if (passkeys.has(record.id)) throw new StoreConflictError('id');
      passkeys.set(record.id, structuredClone(record));
    },

    async findPasskey(id) {
      const found = passkeys.get(id);
      return found ? structuredClone(found) : undefined;
    },

    async listPasskeys(accountId) {
      return byAccount(accountId).map((p) => structuredClone(p));
    },

    async recordPasskeyUse(id, use) {
      const found = passkeys.get(id);
      if (!found) return false;
      passkeys.set(id, {
        ...found,
        counter: use.counter,
        backedUp: use.backedUp,
        lastUsedAt: use.usedAt,
      });
      return true;
    },

    async removePasskey(accountId, id) {
      if (passkeys.get(id)?.accountId !== accountId) return false;
      return passkeys.delete(id);
    },

    async removeAll(accountId) {
      let removed = 0;
      if (totp.delete(accountId)) removed += 1;
      usedSteps.delete(accountId);
      removed += recovery.get(accountId)?.size ?? 0;
      recovery.delete(accountId);
      for (const p of byAccount(accountId)) {
        passkeys.delete(p.id);
        removed += 1;
      }
      return removed;
    },
  };
}
