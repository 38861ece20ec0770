import type { Redis } from 'ioredis';
import { checkCounterHit } from '../storage/check-counter-hit.ts';
import type { CounterState, CounterStore } from '../storage/ports.ts';
import { isReady } from './redis-connection.ts';

const PREFIX = 'portcullis:counter:';

/**
 * One fixed-window hit, atomic in Redis (a script runs alone): the window is decided by the
 * caller's clock, passed in, so every backend agrees on when a window ends; the key's expiry is
 * only Redis's way of forgetting it.
 */
const HIT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local by = tonumber(ARGV[3])
local found = redis.call('HMGET', KEYS[1], 'c', 'r')
local count = tonumber(found[1])
local resetAt = tonumber(found[2])
if count == nil or resetAt == nil or resetAt <= now then
  count = by
  resetAt = now + window
else
  count = count + by
end
redis.call('HSET', KEYS[1], 'c', count, 'r', resetAt)
redis.call('PEXPIREAT', KEYS[1], resetAt)
return {count, resetAt}
`;

/**
 * The brute-force and client-auth counters in Redis (issue 18 item 3): INCR-with-expiry
 * semantics in one script, atomic across processes and hosts on every store backend (FerretDB's
 * counters need insert-once workarounds). While Redis cannot answer, every call goes to
 * `fallback` (the store's counters) instead, so the limits keep holding through an outage; what
 * was counted on one side is not seen by the other, which at worst gives an attacker one window's
 * worth of attempts more. `degraded` says when that happens.
 */
export function redisCounterStore(deps: {
  redis: Redis;
  fallback: CounterStore;
  now?: () => number;
  onFallback?: (error: unknown) => void;
}): CounterStore {
  const { redis, fallback } = deps;
  const now = deps.now ?? Date.now;
  const either = async <T>(viaRedis: () => Promise<T>, viaStore: () => Promise<T>): Promise<T> => {
    if (!isReady(redis)) return viaStore();
    try {
      return await viaRedis();
    } catch (error) {
      deps.onFallback?.(error);
      return viaStore();
    }
  };
  const state = (found: (string | null)[], at: number): CounterState | undefined => {
    const count = Number(found[0]);
    const resetAt = Number(found[1]);
    if (found[0] === null || found[1] === null || !(resetAt > at)) return undefined;
    return { count, resetAt };
  };
  return {
    async hit(key, windowMs, by = 1) {
      // The store's own RangeError for a caller's bug, before anything is sent anywhere.
      checkCounterHit(windowMs, by);
      return either(
        async () => {
          const [count, resetAt] = (await redis.eval(
            HIT,
            1,
            PREFIX + key,
            String(now()),
            String(windowMs),
            String(by),
          )) as [number, number];
          return { count: Number(count), resetAt: Number(resetAt) };
        },
        () => fallback.hit(key, windowMs, by),
      );
    },
    get(key) {
      return either(
        async () => state(await redis.hmget(PREFIX + key, 'c', 'r'), now()),
        () => fallback.get(key),
      );
    },
    async reset(key) {
      // Both: a counter may have been written to either side across an outage.
      await Promise.all([
        either(
          async () => void (await redis.del(PREFIX + key)),
          async () => undefined,
        ),
        fallback.reset(key),
      ]);
    },
    /**
     * Ended counters in Redis only (Redis forgets them by itself too; this counts them for the
     * store's sweep). The fallback's are swept with the rest of the store.
     */
    async sweepExpired() {
      const at = now();
      let removed = 0;
      if (!isReady(redis)) return removed;
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
          cursor = next;
          for (const key of keys) {
            const found = await redis.hmget(key, 'c', 'r');
            if (state(found, at) === undefined && (await redis.del(key)) === 1) removed += 1;
          }
        } while (cursor !== '0');
      } catch (error) {
        deps.onFallback?.(error);
      }
      return removed;
    },
  };
}
