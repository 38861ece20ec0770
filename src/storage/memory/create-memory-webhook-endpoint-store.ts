import { StoreConflictError } from '../ports.ts';
import type { WebhookEndpointRecord, WebhookEndpointStore } from '../outbox-ports.ts';
import { paginate } from './paginate.ts';

/** Webhook endpoints in a Map by id; deep copies in and out, like every memory port. */
export function createMemoryWebhookEndpointStore(): WebhookEndpointStore {
  const records = new Map<string, WebhookEndpointRecord>();
  return {
    async create(record) {
      if (records.has(record.id)) throw new StoreConflictError('id');
      records.set(record.id, structuredClone(record));
    },
    async findById(id) {
      const record = records.get(id);
      return record === undefined ? undefined : structuredClone(record);
    },
    async update(id, patch, updatedAt) {
      const record = records.get(id);
      if (record === undefined) return undefined;
      const next = { ...record, ...structuredClone(patch), updatedAt };
      for (const key of Object.keys(patch) as (keyof typeof patch)[]) {
        if (patch[key] === undefined) next[key] = record[key] as never;
      }
      records.set(id, next);
      return structuredClone(next);
    },
    async remove(id) {
      return records.delete(id);
    },
    async list(options) {
      const page = paginate(records.values(), (r) => r.id, options);
      return { items: page.items.map((r) => structuredClone(r)), nextCursor: page.nextCursor };
    },
  };
}
