/**
 * The cache checks of issue 18 (`npm run bench:cache`), apart from the throughput rounds:
 *
 * - **revocation visibility**: two workers share a store; a token is introspected on both (so
 *   both cache the answer), revoked through one, and introspected on fresh connections (each
 *   handed to the next worker) until every worker says inactive. The delay is from the
 *   revocation's answer to the last `active` answer; the worst over all trials must stay within
 *   `cache.invalidationBoundMs`. Run per shared backend (SQLite; MongoDB protocol when FerretDB
 *   or MONGODB_URI is there), with and without Redis (when `redis-server` is installed).
 * - **memory per cache**: the heap one remembered introspection answer and one cached client take,
 *   and so what each cache costs at its configured limit.
 *
 * Traffic goes to loopback only; every loop is bounded in count and time.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { AnswerCache } from '../src/cache/answer-cache.ts';
import type { CachedIntrospection } from '../src/oidc/introspection-answer-cache.ts';
import { basic, startCacheCluster, type CacheCluster } from '../test/helpers/cache-cluster.ts';
import { findFerretDbBinary, startFerretDb, type FerretDb } from '../test/helpers/ferretdb.ts';
import { findOnPath } from '../test/helpers/find-on-path.ts';
import { TestRedis } from '../test/helpers/redis-server.ts';
import { runWrk } from './wrk-load.ts';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '20' },
    'bound-ms': { type: 'string', default: '1000' },
    checks: { type: 'string', default: 'memory,throughput,visibility' },
    duration: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '3' },
  },
});
const CHECKS = new Set(values.checks.split(',').map((c) => c.trim()));
const DURATION_S = Math.max(1, Number(values.duration));
const ROUNDS = Math.max(1, Number(values.rounds));
/** Tokens introspected round robin, as in the main bench's introspect scenario. */
const TOKEN_POOL = 256;
const CONNECTIONS = 16;
const PIPELINE = 8;
const TRIALS = Math.max(1, Number(values.trials));
const CONCURRENCY = Math.max(1, Number(values.concurrency));
const BOUND_MS = Math.max(100, Number(values['bound-ms']));
/** A trial that has not seen every worker refuse after this long has failed outright. */
const TRIAL_TIMEOUT_MS = 10 * BOUND_MS;

interface VisibilityResult {
  backend: string;
  redis: boolean;
  trials: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  worstMs: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** One trial: the delay in ms, or undefined when it never settled. */
async function trial(cluster: CacheCluster): Promise<number | undefined> {
  const issued = await cluster.issue();
  const token = String(issued.json.access_token);
  for (let i = 0; i < 2; i += 1) await cluster.introspect(token);
  const revoked = await cluster.revoke(token);
  if (revoked.status !== 200) return undefined;
  const since = Date.now();
  let last = since;
  let inARow = 0;
  while (inARow < 4) {
    if (Date.now() - since > TRIAL_TIMEOUT_MS) return undefined;
    const answer = await cluster.introspect(token);
    if (answer.json.active === false) inARow += 1;
    else {
      inARow = 0;
      last = Date.now();
    }
  }
  return last - since;
}

async function visibility(
  backend: string,
  storeEnv: Record<string, string> | undefined,
  redis: TestRedis | undefined,
): Promise<VisibilityResult> {
  const cluster = await startCacheCluster(
    {
      CACHE_INVALIDATION_BOUND_MS: String(BOUND_MS),
      CLIENT_AUTH_MAX_FAILURES: '10000',
      ...(redis ? { CACHE_URL: redis.url } : {}),
    },
    storeEnv,
  );
  const delays: number[] = [];
  let failed = 0;
  try {
    let started = 0;
    const lane = async () => {
      while (started < TRIALS) {
        started += 1;
        const delay = await trial(cluster).catch(() => undefined);
        if (delay === undefined) failed += 1;
        else delays.push(delay);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  } finally {
    await cluster.stop();
  }
  delays.sort((a, b) => a - b);
  return {
    backend,
    redis: redis !== undefined,
    trials: TRIALS,
    failed,
    p50Ms: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    worstMs: delays.at(-1) ?? Number.NaN,
  };
}

interface ThroughputResult {
  setup: string;
  /** Introspections per second, per round. */
  rounds: number[];
  median: number;
  errors: number;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Introspections per second of one setup (1 process, or 2 workers with or without Redis) on one
 * SQLite file, under wrk: 256 tokens round robin, each checked active before the clock starts,
 * a warm-up pass, then `ROUNDS` timed runs. Nothing is pinned: the workers need both cores.
 */
async function throughput(
  setup: string,
  workers: number,
  redis: TestRedis | undefined,
): Promise<ThroughputResult> {
  const cluster = await startCacheCluster({
    WORKERS: String(workers),
    LOG_LEVEL: 'silent',
    CLIENT_AUTH_MAX_FAILURES: '10000',
    ...(redis ? { CACHE_URL: redis.url } : {}),
  });
  try {
    const tokens: string[] = [];
    for (let i = 0; i < TOKEN_POOL; i += 1) {
      const issued = await cluster.issue();
      const token = issued.json.access_token;
      if (issued.status !== 200 || typeof token !== 'string')
        throw new Error(`minting a token: ${String(issued.status)}`);
      tokens.push(token);
    }
    for (const token of tokens) {
      const answer = await cluster.introspect(token);
      if (answer.json.active !== true) throw new Error('a fresh token did not introspect active');
    }
    const request = {
      method: 'POST' as const,
      path: '/token/introspection',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(cluster.api),
        accept: 'application/json',
      },
      bodies: tokens.map((t) => new URLSearchParams({ token: t }).toString()),
    };
    const load = (seconds: number) =>
      runWrk({
        url: cluster.issuer,
        request,
        connections: CONNECTIONS,
        seconds,
        pipeline: PIPELINE,
      });
    await load(2);
    const rounds: number[] = [];
    let errors = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      const result = await load(DURATION_S);
      rounds.push(result.perSecond);
      errors += result.errors;
    }
    // Still the engine's answer at the end: every token active, none answered from a stale entry.
    for (const token of tokens.slice(0, 16)) {
      if ((await cluster.introspect(token)).json.active !== true) errors += 1;
    }
    return { setup, rounds, median: median(rounds), errors };
  } finally {
    await cluster.stop();
  }
}

/** Heap bytes per entry, measured over `count` entries of what `make` builds. */
function bytesPerEntry<V>(count: number, make: (i: number) => V): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  // The serialised answers are Buffers, outside the heap: both count.
  const used = () => {
    const memory = process.memoryUsage();
    return memory.heapUsed + memory.external;
  };
  const before = used();
  const cache = new AnswerCache<V>({ maxEntries: count });
  const far = Date.now() + 3_600_000;
  for (let i = 0; i < count; i += 1) {
    const key = randomBytes(32).toString('base64url');
    cache.set(key, { value: make(i), expiresAt: far, tags: [`t:${key}`, `g:${i}`] }, 0);
  }
  gc?.();
  const after = used();
  if (cache.size !== count) throw new Error('the cache did not hold every entry');
  return (after - before) / count;
}

function introspectionAnswer(i: number): CachedIntrospection {
  const body = {
    active: true,
    client_id: `client-${String(i)}`,
    exp: 1_900_000_000,
    iat: 1_800_000_000,
    iss: 'https://id.example.com',
    scope: 'orders:read orders:write',
    sub: randomBytes(16).toString('base64url'),
    aud: 'https://api.example.com/orders',
    token_type: 'Bearer',
  };
  return {
    headers: [
      ['cache-control', 'no-store'],
      ['content-type', 'application/json; charset=utf-8'],
    ],
    body,
    bytes: Buffer.from(JSON.stringify(body)),
    matchedRoute: '/token/introspection',
    matchedRouteName: 'introspection',
    clientId: `api-${String(i)}`,
  };
}

function clientMetadata(i: number): Record<string, unknown> {
  return {
    client_id: `client-${String(i)}`,
    client_secret: randomBytes(32).toString('base64url'),
    client_name: 'An app',
    redirect_uris: ['https://app.example.com/callback'],
    post_logout_redirect_uris: ['https://app.example.com/signed-out'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    client_id_issued_at: 1_800_000_000,
  };
}

async function main(): Promise<void> {
  const load = loadavg().map((n) => n.toFixed(2));
  console.log(
    `cache checks (${[...CHECKS].join(', ')}): ${TRIALS} visibility trials per setup, ${CONCURRENCY} at once, bound ${BOUND_MS} ms`,
  );
  console.log(`load average at start: ${load.join(' ')}`);

  let introspectionBytes: number | undefined;
  let clientBytes: number | undefined;
  if (CHECKS.has('memory')) {
    introspectionBytes = bytesPerEntry(20_000, introspectionAnswer);
    clientBytes = bytesPerEntry(5_000, clientMetadata);
    console.log(
      `memory: introspection answer ≈ ${Math.round(introspectionBytes)} B/entry (20,000 default: ${(
        (introspectionBytes * 20_000) /
        2 ** 20
      ).toFixed(0)} MiB); client ≈ ${Math.round(clientBytes)} B/entry (10,000 default: ${(
        (clientBytes * 10_000) /
        2 ** 20
      ).toFixed(1)} MiB)`,
    );
  }

  const redis = findOnPath('redis-server') === undefined ? undefined : await TestRedis.start();
  let ferret: FerretDb | undefined;
  const rates: ThroughputResult[] = [];
  const results: VisibilityResult[] = [];
  try {
    if (CHECKS.has('throughput')) {
      if (findOnPath('wrk') === undefined)
        throw new Error('the throughput check needs wrk: apt-get install wrk');
      console.log(
        `throughput: introspect on SQLite, wrk ${String(CONNECTIONS)} connections × ${String(PIPELINE)} pipelined, ${String(ROUNDS)} × ${String(DURATION_S)} s, load average ${loadavg()
          .map((n) => n.toFixed(2))
          .join(' ')}`,
      );
      const setups: [string, number, TestRedis | undefined][] = [
        ['1 process', 1, undefined],
        ['2 workers', 2, undefined],
        ...(redis ? [['2 workers + Redis', 2, redis] as [string, number, TestRedis]] : []),
      ];
      for (const [setup, workers, tier] of setups) {
        const result = await throughput(setup, workers, tier);
        rates.push(result);
        const one = rates[0]?.median ?? Number.NaN;
        console.log(
          `${setup.padEnd(20)} ${result.median.toFixed(0).padStart(7)}/s  rounds ${result.rounds.map((r) => r.toFixed(0)).join(', ')}  errors ${String(result.errors)}  ${(result.median / one).toFixed(2)}× the 1-process figure`,
        );
      }
    }
    if (CHECKS.has('visibility')) {
      const backends: { name: string; env: Record<string, string> | undefined }[] = [
        { name: 'sqlite', env: undefined },
      ];
      const mongoUri = process.env['MONGODB_URI'];
      if (mongoUri)
        backends.push({ name: 'mongodb', env: { STORE: 'mongodb', MONGODB_URI: mongoUri } });
      else if (findFerretDbBinary() !== undefined) {
        ferret = await startFerretDb();
        backends.push({
          name: 'mongodb (FerretDB)',
          env: { STORE: 'mongodb', MONGODB_URI: ferret.uri, MONGODB_DB: `bench_${Date.now()}` },
        });
      }
      for (const backend of backends) {
        for (const tier of redis ? [undefined, redis] : [undefined]) {
          const result = await visibility(backend.name, backend.env, tier);
          results.push(result);
          console.log(
            `${result.backend.padEnd(20)} redis ${result.redis ? 'yes' : 'no '}  trials ${result.trials}  failed ${result.failed}  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms  worst ${result.worstMs} ms  ${result.failed === 0 && result.worstMs <= BOUND_MS ? 'within the bound' : 'NOT within the bound'}`,
          );
        }
      }
    }
  } finally {
    await redis?.kill();
    await ferret?.destroy();
  }
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const file = new URL(
    `./results/cache-${new Date().toISOString().replaceAll(':', '-')}.json`,
    import.meta.url,
  );
  writeFileSync(
    file,
    JSON.stringify(
      { load, boundMs: BOUND_MS, introspectionBytes, clientBytes, throughput: rates, results },
      null,
      2,
    ),
  );
  console.log(`written: ${file.pathname}`);
  const one = rates[0]?.median;
  const scaled = rates.slice(1).every((r) => one !== undefined && r.median >= 1.8 * one);
  const clean = rates.every((r) => r.errors === 0);
  const visible = results.every((r) => r.failed === 0 && r.worstMs <= BOUND_MS);
  if (rates.length > 1)
    console.log(`target: 2 workers ≥ 1.8× the 1-process figure — ${scaled ? 'met' : 'NOT met'}`);
  process.exitCode = scaled && clean && visible ? 0 : 1;
}

await main();
