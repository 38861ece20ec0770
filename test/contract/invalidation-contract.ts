/**
 * The `InvalidationStore` part of the storage contract (called from store-contract.ts, so it runs
 * on every backend). The database may hold other tests' records: each test names its own keys.
 */
import { describe, it, expect } from '@jest/globals';
import type { InvalidationRecord, Store } from '../../src/storage/ports.ts';

export interface ContractClock {
  now(): number;
  advance(ms: number): void;
}

const mine = (records: InvalidationRecord[], prefix: string): InvalidationRecord[] =>
  records.filter((record) => record.keys.some((key) => key.startsWith(prefix)));

export function describeInvalidationContract(
  getStore: () => Store,
  uniq: (label: string) => string,
  clock: ContractClock,
): void {
  describe('cache invalidation feed', () => {
    it('returns what was appended since a time, oldest first, with the keys as given', async () => {
      const store = getStore();
      const prefix = uniq('inv');
      const from = clock.now();
      await store.invalidations.append([`${prefix}:a`, `${prefix}:b`]);
      clock.advance(5);
      await store.invalidations.append([`${prefix}:c`]);
      const records = mine(await store.invalidations.since(from, 1000), prefix);
      expect(records.map((record) => record.keys)).toEqual([
        [`${prefix}:a`, `${prefix}:b`],
        [`${prefix}:c`],
      ]);
      expect(records[0]?.time).toBe(from);
      expect(records[1]?.time).toBe(from + 5);
      expect(new Set(records.map((record) => record.id)).size).toBe(2);
    });

    it('leaves out what is older than the time asked for, and counts the limit', async () => {
      const store = getStore();
      const prefix = uniq('inv');
      await store.invalidations.append([`${prefix}:old`]);
      clock.advance(10);
      const from = clock.now();
      await store.invalidations.append([`${prefix}:new-1`]);
      await store.invalidations.append([`${prefix}:new-2`]);
      const records = mine(await store.invalidations.since(from, 1000), prefix);
      expect(records.flatMap((record) => record.keys)).toEqual([
        `${prefix}:new-1`,
        `${prefix}:new-2`,
      ]);
      // Nothing newer can exist yet: a limit of 1 from this test's own time returns its first.
      const limited = await store.invalidations.since(from, 1);
      expect(limited).toHaveLength(1);
    });

    it('prunes records older than a time and keeps the rest', async () => {
      const store = getStore();
      const prefix = uniq('inv');
      const from = clock.now();
      await store.invalidations.append([`${prefix}:gone`]);
      clock.advance(1000);
      await store.invalidations.append([`${prefix}:kept`]);
      expect(await store.invalidations.pruneBefore(from + 1)).toBeGreaterThanOrEqual(1);
      const records = mine(await store.invalidations.since(from, 1000), prefix);
      expect(records.flatMap((record) => record.keys)).toEqual([`${prefix}:kept`]);
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      const store = getStore();
      const prefix = uniq('inv');
      const from = clock.now();
      const keys = [`${prefix}:x`];
      await store.invalidations.append(keys);
      keys.push(`${prefix}:y`);
      const [first] = mine(await store.invalidations.since(from, 1000), prefix);
      first?.keys.push(`${prefix}:z`);
      const [again] = mine(await store.invalidations.since(from, 1000), prefix);
      expect(again?.keys).toEqual([`${prefix}:x`]);
    });
  });
}
