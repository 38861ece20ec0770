import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LockoutKind } from '../security/lockout-hook.ts';

export type SignInOutcome = 'success' | 'failure';
export type IntrospectionOutcome = 'active' | 'inactive' | 'refused' | 'error';

/**
 * Every series Portcullis exports, registered in a registry of its own (never prom-client's
 * global one): tests run several servers in one process, and each must count only its own.
 * Label values are bounded sets (route patterns, grant and token types, outcomes), never ids.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly tokensIssued: Counter<'grant_type' | 'token_type'>;
  readonly signIns: Counter<'outcome'>;
  /** Locks started by the brute-force limits, by what was locked (src/security/lockout-hook.ts). */
  readonly lockouts: Counter<'kind'>;
  /** Second-factor checks at sign-in, by factor (totp, recovery_code, passkey) and outcome. */
  readonly secondFactors: Counter<'factor' | 'outcome'>;
  readonly introspections: Counter<'outcome'>;
  readonly storeOperationDuration: Histogram<'backend' | 'operation'>;
  readonly storeErrors: Counter<'backend' | 'operation'>;
  readonly activeSessions: Gauge;
  /** In-process caches (src/cache/answer-cache.ts): lookups by result, removals by reason, size. */
  readonly cacheLookups: Counter<'cache' | 'result'>;
  readonly cacheRemovals: Counter<'cache' | 'reason'>;
  /** Lookups in the Redis tier after a miss in memory (src/cache/redis-answer-tier.ts). */
  readonly cacheSharedLookups: Counter<'cache' | 'result'>;
  readonly cacheEntries: Gauge<'cache'>;
  /** Polls of the invalidation feed that failed (the caches are bypassed until one succeeds). */
  readonly cacheFeedFailures: Counter;
  /** Calls that went to the store because the Redis tier could not answer (src/cache/redis-counter-store.ts). */
  readonly cacheRedisFallbacks: Counter;
  /** Emails by outcome (src/email/create-mailer.ts): sent, logged, retried, failed, dropped. */
  readonly emails: Counter<'outcome'>;
}

/** Seconds; from a 5 ms static answer to a 10 s request that hit a store timeout. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; store calls are mostly sub-millisecond (sqlite) to a few ms (MongoDB). */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    httpRequestDuration: new Histogram({
      name: 'portcullis_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    }),
    tokensIssued: new Counter({
      name: 'portcullis_tokens_issued_total',
      help: 'Tokens and codes issued, by grant type and token type.',
      labelNames: ['grant_type', 'token_type'],
      registers,
    }),
    signIns: new Counter({
      name: 'portcullis_sign_ins_total',
      help: 'Password sign-ins on the login page, by outcome (success, failure).',
      labelNames: ['outcome'],
      registers,
    }),
    lockouts: new Counter({
      name: 'portcullis_lockouts_total',
      help: 'Temporary locks started by the brute-force limits, by kind (account, ip, client).',
      labelNames: ['kind'],
      registers,
    }),
    secondFactors: new Counter({
      name: 'portcullis_second_factor_checks_total',
      help: 'Second-factor checks at sign-in, by factor (totp, recovery_code, passkey) and outcome (success, failure).',
      labelNames: ['factor', 'outcome'],
      registers,
    }),
    introspections: new Counter({
      name: 'portcullis_introspections_total',
      help: 'Token introspection calls (RFC 7662), by outcome (active, inactive, refused, error).',
      labelNames: ['outcome'],
      registers,
    }),
    storeOperationDuration: new Histogram({
      name: 'portcullis_store_operation_duration_seconds',
      help: 'Time of a store call, by backend and operation (e.g. oidc.find, accounts.findByLogin).',
      labelNames: ['backend', 'operation'],
      buckets: STORE_BUCKETS,
      registers,
    }),
    storeErrors: new Counter({
      name: 'portcullis_store_errors_total',
      help: 'Store calls that failed, by backend and operation.',
      labelNames: ['backend', 'operation'],
      registers,
    }),
    activeSessions: new Gauge({
      name: 'portcullis_active_sessions',
      help: 'Unexpired sign-in sessions in the store, re-counted every metrics.sessionSampleSeconds.',
      // Every worker counts the same shared store: across workers the answer is the largest
      // (most recent) count, not the sum.
      aggregator: 'max',
      registers,
    }),
    cacheLookups: new Counter({
      name: 'portcullis_cache_lookups_total',
      help: 'Lookups in an in-process cache, by cache (introspection) and result (hit, miss).',
      labelNames: ['cache', 'result'],
      registers,
    }),
    cacheSharedLookups: new Counter({
      name: 'portcullis_cache_shared_lookups_total',
      help: 'Lookups in the shared (Redis) tier after a miss in memory, by cache and result (hit, miss).',
      labelNames: ['cache', 'result'],
      registers,
    }),
    cacheRemovals: new Counter({
      name: 'portcullis_cache_removals_total',
      help: 'Entries that left an in-process cache, by cache and reason (evict: the size limit; expire; invalidate: a change named it; clear).',
      labelNames: ['cache', 'reason'],
      registers,
    }),
    cacheEntries: new Gauge({
      name: 'portcullis_cache_entries',
      help: 'Entries in an in-process cache, by cache.',
      labelNames: ['cache'],
      registers,
    }),
    cacheFeedFailures: new Counter({
      name: 'portcullis_cache_feed_failures_total',
      help: 'Polls of the cache invalidation feed that failed; caches are bypassed until one succeeds.',
      registers,
    }),
    cacheRedisFallbacks: new Counter({
      name: 'portcullis_cache_redis_fallbacks_total',
      help: 'Counter calls answered by the store because the Redis tier could not (cache.redisUrl).',
      registers,
    }),
    emails: new Counter({
      name: 'portcullis_emails_total',
      help: 'Emails by outcome: sent, logged (email.transport log), retried, failed (given up), dropped (queue full).',
      labelNames: ['outcome'],
      registers,
    }),
  };
  for (const outcome of ['sent', 'failed'] as const) metrics.emails.labels(outcome).inc(0);
  // Series with a known, small label set start at 0, so dashboards and rate() see them before
  // the first event instead of "no data".
  for (const outcome of ['success', 'failure'] satisfies SignInOutcome[])
    metrics.signIns.labels(outcome).inc(0);
  for (const outcome of [
    'active',
    'inactive',
    'refused',
    'error',
  ] satisfies IntrospectionOutcome[]) {
    metrics.introspections.labels(outcome).inc(0);
  }
  for (const kind of ['account', 'ip', 'client'] satisfies LockoutKind[])
    metrics.lockouts.labels(kind).inc(0);
  return metrics;
}
