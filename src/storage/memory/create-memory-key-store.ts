import { StoreConflictError } from '../ports.ts';
import type { KeyStore, SigningKeyRecord } from '../ports.ts';

/** Signing keys in a Map, listed by `createdAt` then `kid` as the port requires. */
export function createMemoryKeyStore(): KeyStore {
  const keys = new Map<string, SigningKeyRecord>();

  return {
    async list() {
      return [...keys.values()]
        .sort((a, b) => a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0))
        .map((record) => structuredClone(record));
    },

    async add(record) {
      if (keys.has(record.kid)) throw new StoreConflictError('kid');
      keys.set(record.kid, structuredClone(record));
    },

    async update(kid, patch) {
      const record = keys.get(kid);
      if (record === undefined) return false;
      keys.set(kid, { ...record, retiredAt: patch.retiredAt, expiresAt: patch.expiresAt });
      return true;
    },

    async replacePrivateJwk(kid, privateJwk) {
      const record = keys.get(kid);
      if (record === undefined) return false;
      keys.set(kid, { ...record, privateJwk: structuredClone(privateJwk) });
      return true;
    },

    async remove(kid) {
      keys.delete(kid);
    },
  };
}
