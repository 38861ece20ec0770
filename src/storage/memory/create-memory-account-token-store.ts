import type { AccountTokenRecord, AccountTokenStore } from '../account-lifecycle-ports.ts';
import { StoreConflictError } from '../ports.ts';

/** One-time link records in a Map; `consume` is a synchronous check-and-delete, hence atomic. */
export function createMemoryAccountTokenStore(now: () => number): AccountTokenStore {
  const tokens = new Map<string, AccountTokenRecord>();
  const live = (hash: string, purpose: string): AccountTokenRecord | undefined => {
    const record = tokens.get(hash);
    return record !== undefined && record.purpose === purpose && record.expiresAt > now()
      ? record
      : undefined;
  };

  return {
    async create(record) {
      if (tokens.has(record.hash)) throw new StoreConflictError('hash');
      tokens.set(record.hash, structuredClone(record));
    },

    async find(hash, purpose) {
      const record = live(hash, purpose);
      return record === undefined ? undefined : structuredClone(record);
    },

    async consume(hash, purpose) {
      const record = live(hash, purpose);
      if (record === undefined) return undefined;
      tokens.delete(hash);
      return structuredClone(record);
    },

    async removeForAccount(accountId, purpose) {
      let removed = 0;
      for (const [hash, record] of [...tokens]) {
        if (record.accountId !== accountId) continue;
        if (purpose !== undefined && record.purpose !== purpose) continue;
        tokens.delete(hash);
        removed += 1;
      }
      return removed;
    },

    async sweepExpired() {
      let removed = 0;
      for (const [hash, record] of [...tokens]) {
        if (record.expiresAt <= now()) {
          tokens.delete(hash);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
