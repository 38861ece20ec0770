/**
 * The introspection answer cache across processes (issue 18 item 2): two workers on one SQLite
 * file each remember answers, and a revocation or a client change made through one process (a
 * worker, or the CLI's services in this test process) reaches the other's cache within
 * `cache.invalidationBoundMs`, by the store's feed alone (no Redis).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { startCacheCluster, type CacheCluster } from '../helpers/cache-cluster.ts';
import { lastAnswerOtherwise } from '../helpers/worker-requests.ts';

const BOUND_MS = 1_000;
let cluster: CacheCluster;

beforeAll(async () => {
  cluster = await startCacheCluster({
    CACHE_INVALIDATION_BOUND_MS: String(BOUND_MS),
    // The old secret is tried until every worker refuses it: not a guessing attack to lock out.
    CLIENT_AUTH_MAX_FAILURES: '1000',
  });
});
afterAll(async () => {
  await cluster?.stop();
});

async function token(): Promise<string> {
  const issued = await cluster.issue();
  expect(issued.status).toBe(200);
  return String(issued.json.access_token);
}

const hits = () =>
  cluster.metric('portcullis_cache_lookups_total', 'cache="introspection",result="hit"');

describe('WORKERS=2 with the introspection cache', () => {
  it('answers repeated calls from each worker’s memory', async () => {
    const t = await token();
    const before = await hits();
    for (let i = 0; i < 6; i += 1) expect((await cluster.introspect(t)).json.active).toBe(true);
    // The first call on each worker is the engine's; the others are hits.
    expect(await hits()).toBeGreaterThanOrEqual(before + 4);
  });

  it('a revocation made on one worker reaches the other within the bound', async () => {
    const t = await token();
    for (let i = 0; i < 4; i += 1) expect((await cluster.introspect(t)).json.active).toBe(true);
    expect((await cluster.revoke(t)).status).toBe(200);
    const delay = await lastAnswerOtherwise(
      () => cluster.introspect(t),
      (answer) => answer.json.active === false,
      Date.now(),
    );
    expect(delay).toBeLessThanOrEqual(BOUND_MS);
  });

  it("a secret rotated by another process (the CLI's services) is refused by every worker within the bound", async () => {
    const caller = await cluster.storeClient({ resource_server: true });
    const t = await token();
    for (let i = 0; i < 4; i += 1)
      expect((await cluster.introspect(t, caller)).json.active).toBe(true);
    const rotated = randomBytes(32).toString('base64url');
    const stored = await cluster.services.store.oidc.find('Client', caller.clientId);
    await cluster.services.store.oidc.upsert('Client', caller.clientId, {
      ...stored,
      client_secret: rotated,
    });
    const delay = await lastAnswerOtherwise(
      () => cluster.introspect(t, caller),
      (answer) => answer.status === 401,
      Date.now(),
    );
    expect(delay).toBeLessThanOrEqual(BOUND_MS);
    expect((await cluster.introspect(t, { ...caller, clientSecret: rotated })).json.active).toBe(
      true,
    );
  });
});
