import type { InvalidationRecord, InvalidationStore } from '../ports.ts';

/** The change feed in process memory: one process, so its readers are its own caches. */
export function createMemoryInvalidationStore(now: () => number): InvalidationStore {
  let records: InvalidationRecord[] = [];
  let next = 0;
  return {
    async append(keys) {
      next += 1;
      records.push({ id: String(next), time: now(), keys: [...keys] });
    },
    async since(since, limit) {
      // Appended in clock order, so the array is sorted by time.
      return records
        .filter((record) => record.time >= since)
        .slice(0, limit)
        .map((record) => ({ ...record, keys: [...record.keys] }));
    },
    async pruneBefore(time) {
      const before = records.length;
      records = records.filter((record) => record.time >= time);
      return before - records.length;
    },
  };
}
