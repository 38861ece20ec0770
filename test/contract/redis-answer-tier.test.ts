/**
 * The shared answer tier (src/cache/redis-answer-tier.ts) against a real redis-server, each tier
 * on its own connection as two processes would be: an answer one shares is served to the other
 * until a change names it; an answer computed before a change is never served after it (the
 * epoch race); a reconnect clears the tier before it is used again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { EVERYTHING } from '../../src/cache/invalidation-feed.ts';
import { redisAnswerTier, type SharedAnswerTier } from '../../src/cache/redis-answer-tier.ts';
import { waitFor } from '../helpers/spawn-server.ts';
import { TestRedis } from '../helpers/redis-server.ts';
import { unique } from '../helpers/test-server.ts';

let server: TestRedis;
const connections: Redis[] = [];

async function tier(name = 'answers'): Promise<{ tier: SharedAnswerTier; redis: Redis }> {
  const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
  connections.push(redis);
  const shared = redisAnswerTier({ redis, name });
  await redis.connect();
  await waitFor(async () => shared.usable(), 'the tier to be cleared and usable');
  return { tier: shared, redis };
}

let a: SharedAnswerTier;
let b: SharedAnswerTier;

beforeAll(async () => {
  server = await TestRedis.start();
});
beforeEach(async () => {
  ({ tier: a } = await tier());
  ({ tier: b } = await tier());
});
afterAll(async () => {
  for (const redis of connections) redis.disconnect();
  await server.kill();
});

/** This process's connection lost (the others keep theirs). */
async function away(redis: Redis): Promise<void> {
  const ended = new Promise((resolve) => redis.once('end', resolve));
  redis.disconnect();
  await ended;
}

const later = () => Date.now() + 60_000;

async function share(on: SharedAnswerTier, key: string, value: string, tags: string[]) {
  const looked = await on.lookup(key);
  expect(looked?.entry).toBeUndefined();
  on.set(key, { value, expiresAt: later(), tags }, looked?.epoch ?? -1);
  // set() does not wait for Redis: the next command on the same connection is behind it.
  await on.lookup(key);
}

describe('the shared answer tier', () => {
  it('serves an answer one process shared to another, until it expires', async () => {
    const key = unique('key');
    await share(a, key, 'answer-1', ['t:1']);
    const seen = await b.lookup(key);
    expect(seen?.entry).toEqual({
      value: 'answer-1',
      expiresAt: expect.any(Number),
      tags: ['t:1'],
    });

    const short = unique('key');
    const looked = await a.lookup(short);
    a.set(short, { value: 'soon gone', expiresAt: Date.now() + 150, tags: [] }, looked?.epoch ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await b.lookup(short))?.entry).toBeUndefined();
  });

  it('drops an answer when a change names one of its tags, and keeps the others', async () => {
    const [one, two] = [unique('key'), unique('key')];
    await share(a, one, 'answer-1', ['t:grant-1', 't:account-1']);
    await share(a, two, 'answer-2', ['t:grant-2']);
    await b.invalidate(['t:account-1']);
    expect((await a.lookup(one))?.entry).toBeUndefined();
    expect((await a.lookup(two))?.entry?.value).toBe('answer-2');
  });

  it('never serves an answer computed before a change it is tagged with (the race)', async () => {
    const key = unique('key');
    // The writer reads the epoch, then computes from the store; meanwhile the change commits and
    // is invalidated; then the writer shares its (old) answer.
    const looked = await a.lookup(key);
    await b.invalidate(['t:revoked']);
    a.set(key, { value: 'stale', expiresAt: later(), tags: ['t:revoked'] }, looked?.epoch ?? 0);
    await a.lookup(unique('flush'));
    expect((await b.lookup(key))?.entry).toBeUndefined();
  });

  it('serves an answer computed after a change, even with no change since', async () => {
    await b.invalidate(['t:changed-before']);
    const key = unique('key');
    await share(a, key, 'fresh', ['t:changed-before']);
    expect((await b.lookup(key))?.entry?.value).toBe('fresh');
  });

  it('drops everything for a change no narrower key describes', async () => {
    const key = unique('key');
    await share(a, key, 'answer', ['t:x']);
    await b.invalidate([EVERYTHING]);
    expect((await a.lookup(key))?.entry).toBeUndefined();
  });

  it('keeps caches apart by name', async () => {
    const key = unique('key');
    await share(a, key, 'introspection answer', []);
    const { tier: other } = await tier('clients');
    expect((await other.lookup(key))?.entry).toBeUndefined();
  });

  it('is cleared when a process that could not tell it of a change is back', async () => {
    const key = unique('key');
    await share(a, key, 'answer', ['t:unrelated']);
    const { tier: c, redis } = await tier();
    expect((await c.lookup(key))?.entry?.value).toBe('answer');
    await away(redis);
    expect(c.usable()).toBe(false);
    expect(await c.lookup(key)).toBeUndefined();
    // A change this process made while away: Redis never heard of it.
    await c.invalidate(['t:made-while-away']);
    await redis.connect();
    await waitFor(async () => c.usable(), 'the tier to be usable again');
    expect((await b.lookup(key))?.entry).toBeUndefined();
  });

  it('is not cleared by a process that joins, or comes back having missed nothing', async () => {
    const key = unique('key');
    await share(a, key, 'answer', ['t:kept']);
    const { tier: c, redis } = await tier();
    await away(redis);
    await redis.connect();
    await waitFor(async () => c.usable(), 'the tier to be usable again');
    expect((await b.lookup(key))?.entry?.value).toBe('answer');
  });
});
