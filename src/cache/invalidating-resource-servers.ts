import type { ResourceServerStore } from '../storage/ports.ts';
import { EVERYTHING } from './invalidation-feed.ts';

/**
 * The API registry, telling the invalidation feed when an API changes: which clients may
 * introspect its tokens is part of every cached answer, so a change drops them all (rare).
 */
export function invalidatingResourceServers(
  store: ResourceServerStore,
  publish: (keys: readonly string[]) => Promise<void>,
): ResourceServerStore {
  return {
    ...store,
    async create(record) {
      await store.create(record);
      await publish([EVERYTHING]);
    },
    async update(id, patch, updatedAt) {
      const updated = await store.update(id, patch, updatedAt);
      await publish([EVERYTHING]);
      return updated;
    },
    async remove(id) {
      const removed = await store.remove(id);
      await publish([EVERYTHING]);
      return removed;
    },
  };
}
