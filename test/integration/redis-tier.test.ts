/**
 * The optional Redis tier (issue 18 item 3) with a real redis-server: two workers on one SQLite
 * file share their brute-force counters in Redis and hear of revocations by pub/sub before the
 * store's next poll; when Redis is killed mid-run the answers stay right (the store takes over,
 * `/readyz` says `cache: degraded`), and when it comes back the tier is used again without a
 * restart.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { startCacheCluster, type CacheCluster } from '../helpers/cache-cluster.ts';
import { TestRedis } from '../helpers/redis-server.ts';
import { waitFor } from '../helpers/spawn-server.ts';
import { lastAnswerOtherwise } from '../helpers/worker-requests.ts';

// Long enough that the store's poll (every quarter of it, 2 s) is not what makes a change fast.
const BOUND_MS = 8_000;
const MAX_FAILURES = 3;
let redis: TestRedis;
let cluster: CacheCluster;

beforeAll(async () => {
  redis = await TestRedis.start();
  cluster = await startCacheCluster({
    CACHE_URL: redis.url,
    CACHE_INVALIDATION_BOUND_MS: String(BOUND_MS),
    CLIENT_AUTH_MAX_FAILURES: String(MAX_FAILURES),
  });
  await waitFor(
    async () => (await cluster.readyz()).json.checks !== undefined,
    'the server to answer /readyz',
  );
});
afterAll(async () => {
  await cluster?.stop();
  await redis?.kill();
});

async function token(): Promise<string> {
  const issued = await cluster.issue();
  expect(issued.status).toBe(200);
  return String(issued.json.access_token);
}

const cacheCheck = async () => (await cluster.readyz()).json.checks as Record<string, string>;

/** How long a revocation takes to reach every worker's cached answer. */
async function revocationDelay(): Promise<number> {
  const t = await token();
  for (let i = 0; i < 4; i += 1) expect((await cluster.introspect(t)).json.active).toBe(true);
  expect((await cluster.revoke(t)).status).toBe(200);
  return lastAnswerOtherwise(
    () => cluster.introspect(t),
    (answer) => answer.json.active === false,
    Date.now(),
    { timeoutMs: 3 * BOUND_MS },
  );
}

/** Wrong secrets for a fresh client until the throttle answers 429; how many it took. */
async function attemptsUntilThrottled(): Promise<number> {
  const victim = await cluster.storeClient({ resource_server: true });
  for (let attempt = 1; attempt <= MAX_FAILURES + 3; attempt += 1) {
    const answer = await cluster.introspect('whatever', { ...victim, clientSecret: 'wrong' });
    if (answer.status === 429) return attempt;
    expect(answer.status).toBe(401);
  }
  throw new Error('never throttled');
}

describe('with Redis up', () => {
  it('/readyz reports the cache tier', async () => {
    await waitFor(async () => (await cacheCheck()).cache === 'ok', 'the tier to connect');
    expect((await cluster.readyz()).status).toBe(200);
  });

  it('a revocation reaches the other worker by pub/sub, long before the next poll', async () => {
    // Three in a row: by polling alone each would have a 15 % chance of being this fast.
    for (let trial = 0; trial < 3; trial += 1) expect(await revocationDelay()).toBeLessThan(300);
  });

  it('the client-authentication counters live in Redis, shared by both workers', async () => {
    // The cluster spreads the attempts over both workers; the lock comes after MAX_FAILURES.
    expect(await attemptsUntilThrottled()).toBe(MAX_FAILURES + 1);
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('portcullis:counter:*');
      expect(keys.length).toBeGreaterThan(0);
    } finally {
      client.disconnect();
    }
  });

  it("one worker's engine answer is served to the other from Redis", async () => {
    const sharedHits = () =>
      cluster.metric('portcullis_cache_shared_lookups_total', 'cache="introspection",result="hit"');
    const before = await sharedHits();
    const t = await token();
    // Fresh connections alternate between the workers: the first asks its engine and shares
    // the answer, the second finds it in Redis.
    for (let i = 0; i < 4; i += 1) expect((await cluster.introspect(t)).json.active).toBe(true);
    await waitFor(async () => (await sharedHits()) > before, 'a shared hit');
    expect((await cluster.revoke(t)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await cluster.introspect(t)).json.active).toBe(false);
  });
});

describe('Redis killed mid-run', () => {
  beforeAll(async () => {
    await redis.kill();
    await waitFor(async () => (await cacheCheck()).cache === 'degraded', 'readyz to say degraded');
  });

  it('stays ready, and says the cache tier is degraded', async () => {
    const ready = await cluster.readyz();
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ok', checks: { store: 'ok', cache: 'degraded' } });
  });

  it('answers stay right: a revocation still reaches every worker within the bound', async () => {
    expect(await revocationDelay()).toBeLessThanOrEqual(BOUND_MS);
  });

  it('the brute-force limits keep holding, on the store’s counters', async () => {
    expect(await attemptsUntilThrottled()).toBe(MAX_FAILURES + 1);
  });
});

describe('Redis back', () => {
  beforeAll(async () => {
    await redis.restart();
  });

  it('is used again without a restart', async () => {
    await waitFor(async () => (await cacheCheck()).cache === 'ok', 'readyz to say ok again');
    await waitFor(async () => (await revocationDelay()) < 300, 'pub/sub to carry revocations');
  });
});
