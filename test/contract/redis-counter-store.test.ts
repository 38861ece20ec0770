/**
 * The counters of the Redis tier (src/cache/redis-counter-store.ts) against a real redis-server,
 * held to the same storage contract as every backend's counters: the rest of the store is the
 * memory backend's.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { Redis } from 'ioredis';
import { redisCounterStore } from '../../src/cache/redis-counter-store.ts';
import { withCounterStore } from '../../src/cache/redis-tier.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';
import { TestRedis } from '../helpers/redis-server.ts';
import { describeStoreContract } from './store-contract.ts';

let redisServer: TestRedis;
let redis: Redis;

beforeAll(async () => {
  redisServer = await TestRedis.start();
  redis = new Redis(redisServer.url, { lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  redis.disconnect();
  await redisServer.kill();
});

describeStoreContract('memory with Redis counters', async ({ now }) => {
  const memory = createMemoryStore({ now });
  const counters = redisCounterStore({ redis, fallback: memory.counters, now });
  return withCounterStore(memory, counters);
});
