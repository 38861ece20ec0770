import { randomUUID } from 'node:crypto';
import { StoreConflictError } from '../ports.ts';
import type { ResourceServerRecord, ResourceServerStore } from '../ports.ts';
import { applyResourceServerPatch } from '../apply-resource-server-patch.ts';
import { paginate } from './paginate.ts';

/** Resource servers in a Map by id; deep copies in and out, like every memory port. */
export function createMemoryResourceServerStore(): ResourceServerStore {
  const records = new Map<string, ResourceServerRecord>();
  let version = randomUUID();
  const changed = (): void => {
    version = randomUUID();
  };
  const byIdentifier = (identifier: string): ResourceServerRecord | undefined =>
    [...records.values()].find((r) => r.identifier === identifier);

  return {
    async create(record) {
      if (records.has(record.id)) throw new StoreConflictError('id');
      if (byIdentifier(record.identifier)) throw new StoreConflictError('identifier');
      const copy = structuredClone(record);
      // None is absent, as the durable backends read it.
      if (copy.roleScopes?.length === 0) delete copy.roleScopes;
      records.set(record.id, copy);
      changed();
    },

    async findById(id) {
      const record = records.get(id);
      return record === undefined ? undefined : structuredClone(record);
    },

    async findByIdentifier(identifier) {
      const record = byIdentifier(identifier);
      return record === undefined ? undefined : structuredClone(record);
    },

    async update(id, patch, updatedAt) {
      const record = records.get(id);
      if (record === undefined) return undefined;
      const next = applyResourceServerPatch(record, patch, updatedAt);
      records.set(id, next);
      changed();
      return structuredClone(next);
    },

    async remove(id) {
      const removed = records.delete(id);
      if (removed) changed();
      return removed;
    },

    async list(options) {
      const page = paginate(records.values(), (r) => r.identifier, options);
      return { items: page.items.map((r) => structuredClone(r)), nextCursor: page.nextCursor };
    },

    async version() {
      return version;
    },
  };
}
