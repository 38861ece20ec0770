import { StoreConflictError } from '../ports.ts';
import type { AccountRecord, AccountStore } from '../ports.ts';
import { applyAccountPatch } from '../apply-account-patch.ts';
import { paginate } from './paginate.ts';

/**
 * Accounts in a Map. The login field accepts a username or an email, so both live in one
 * `logins` index (normalised value → account id) and neither may equal another account's other.
 */
export function createMemoryAccountStore(): AccountStore {
  const accounts = new Map<string, AccountRecord>();
  const logins = new Map<string, string>();

  const takenByOther = (login: string | undefined, id: string): boolean => {
    if (login === undefined) return false;
    const holder = logins.get(login);
    return holder !== undefined && holder !== id;
  };

  const unindex = (record: AccountRecord): void => {
    logins.delete(record.usernameNormalized);
    if (record.emailNormalized !== undefined) logins.delete(record.emailNormalized);
  };

  const index = (record: AccountRecord): void => {
    logins.set(record.usernameNormalized, record.id);
    if (record.emailNormalized !== undefined) logins.set(record.emailNormalized, record.id);
  };

  return {
    async create(record) {
      if (accounts.has(record.id)) throw new StoreConflictError('id');
      if (takenByOther(record.usernameNormalized, record.id))
        throw new StoreConflictError('username');
      if (takenByOther(record.emailNormalized, record.id)) throw new StoreConflictError('email');
      const stored = structuredClone(record);
      accounts.set(stored.id, stored);
      index(stored);
    },

    async findById(id) {
      const record = accounts.get(id);
      return record === undefined ? undefined : structuredClone(record);
    },

    async findByLogin(normalizedLogin) {
      const id = logins.get(normalizedLogin);
      const record = id === undefined ? undefined : accounts.get(id);
      return record === undefined ? undefined : structuredClone(record);
    },

    async update(id, patch, updatedAt) {
      const record = accounts.get(id);
      if (record === undefined) return undefined;
      const next = structuredClone(applyAccountPatch(record, patch, updatedAt));
      if (takenByOther(next.emailNormalized, id)) throw new StoreConflictError('email');
      unindex(record);
      accounts.set(id, next);
      index(next);
      return structuredClone(next);
    },

    async remove(id) {
      const record = accounts.get(id);
      if (record === undefined) return false;
      unindex(record);
      accounts.delete(id);
      return true;
    },

    async list(options) {
      const page = paginate(accounts.values(), (record) => record.usernameNormalized, options);
      return {
        items: page.items.map((record) => structuredClone(record)),
        nextCursor: page.nextCursor,
      };
    },
  };
}
