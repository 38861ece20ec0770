import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { LRUCache } from 'lru-cache';
import { peekFormBody } from '../http/peek-form-body.ts';
import { StoreUnavailableError, type CounterStore } from '../storage/ports.ts';
import type { OnLockout } from './lockout-hook.ts';
import type { SecurityEvents } from './security-events.ts';
import { counterKeys } from './throttle-keys.ts';

/** `security.clientAuth` in the configuration, in milliseconds. */
export interface ClientAuthThrottlePolicy {
  /** Failed authentications of one client from one network before it is refused there. */
  maxFailures: number;
  windowMs: number;
  /** Failed client authentications from one network, any client ids (guessing ids). */
  ipMaxFailures: number;
}

// How long a request waits for undecided checks of this process holding the limit's room.
const WAIT_MS = 5000;
// Client credentials that authenticated recently, by fingerprint: at most this many, this long.
const KNOWN_GOOD_MAX = 10_000;
const KNOWN_GOOD_TTL_MS = 5 * 60_000;

// The provider refuses larger bodies on these endpoints itself (56 KiB).
const PEEK_LIMIT = 56 * 1024;

/** RFC 6749 §2.3.1: client_id and secret in HTTP Basic are form-urlencoded before base64. */
function credentialsFromBasic(header: string): { clientId: string; secret: string } | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    const unform = (v: string) => decodeURIComponent(v.replace(/\+/g, '%20'));
    return { clientId: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** The `sub` (= client_id, RFC 7523 §3) of a client assertion, unverified: only a counter key. */
function clientIdFromAssertion(assertion: string): string | undefined {
  const payload = assertion.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** What a request presents as its client: the claimed id and, for a secret, a fingerprint of it. */
interface ClaimedCredential {
  clientId: string | undefined;
  /** SHA-256 of id and secret (HTTP Basic or client_secret_post); none for assertions. */
  fingerprint: string | undefined;
}

function fingerprintOf(clientId: string, secret: string): string {
  return createHash('sha256').update(clientId).update('\0').update(secret).digest('base64url');
}

/**
 * Which client a token, introspection, revocation or PAR request claims to be, read before the
 * provider sees it: from HTTP Basic, else from the form body (`client_id` with `client_secret`, or
 * a client assertion's subject). A spoofed id only spends the spoofer's own budget: counters are
 * per client id *and* network.
 */
async function claimedCredential(ctx: Context): Promise<ClaimedCredential> {
  const authorization = ctx.get('authorization');
  if (authorization) {
    const basic = credentialsFromBasic(authorization);
    return basic
      ? { clientId: basic.clientId, fingerprint: fingerprintOf(basic.clientId, basic.secret) }
      : { clientId: undefined, fingerprint: undefined };
  }
  const form = await peekFormBody(ctx.req, PEEK_LIMIT);
  const ids = form?.getAll('client_id') ?? [];
  const secrets = form?.getAll('client_secret') ?? [];
  if (ids.length === 1 && ids[0] !== undefined) {
    return {
      clientId: ids[0],
      fingerprint:
        secrets.length === 1 && secrets[0] ? fingerprintOf(ids[0], secrets[0]) : undefined,
    };
  }
  const assertion = form?.getAll('client_assertion') ?? [];
  return {
    clientId:
      assertion.length === 1 && assertion[0] ? clientIdFromAssertion(assertion[0]) : undefined,
    fingerprint: undefined,
  };
}

/** Swallows a store outage (answering "no limit known"), rethrows anything else. */
function passOutage(err: unknown): undefined {
  if (err instanceof StoreUnavailableError) return undefined;
  throw err;
}

function isInvalidClient(ctx: Context): boolean {
  const body = ctx.body as { error?: unknown } | undefined;
  return (
    ctx.status === 401 &&
    typeof body === 'object' &&
    body !== null &&
    body.error === 'invalid_client'
  );
}

/**
 * Brute-force limits on client authentication (ASVS 6.3.1, 2.4.1; security reference A36): the
 * provider has none. Failed client authentications — the provider's 401 `invalid_client`
 * answers, seen after it answered — are counted in the shared counter store per client id and
 * network, and per network over all client ids; once over a limit, requests are refused with 429
 * and `Retry-After` *before* the provider checks the credentials, so guessing stops there.
 *
 * Parallel bursts (issue 12 item 7): "read the count, check, count the failure afterwards" let a
 * burst sent at once through whole, every request reading the count before any had failed. So a
 * check is a reservation: between reading the failures and letting the request through nothing
 * else of this process runs (no `await`), and a request let through holds a unit of the limit
 * until its failure is counted in the store or it turned out not to be one. Of a burst at most
 * `limit - failures` are checked at once; the rest wait for them (then see their failures) at
 * most WAIT_MS, else are refused.
 *
 * Why the units are held in this process, not in the store: a unit taken and given back in the
 * store is two writes on every token, introspection and revocation request, the hot path of every
 * API; the store keeps what must be shared, the failures. With several processes, a burst spread
 * over all of them is bounded by `limit` per process (docs/security.md, known limits).
 *
 * Credentials that authenticated in the last minutes (a fingerprint of id and secret, kept in an
 * LRU in this process) take no unit: a client sending many good requests at once is neither
 * slowed nor turned away, and a guesser never presents a fingerprint that is known good. They
 * still meet the failure counts: once a client or network is over its limit, even the right
 * secret is refused until the window ends. A known credential that fails (its secret was
 * rotated or the client deleted) is forgotten and counted like any failure.
 */
export function throttleClientAuthentication(deps: {
  counters: CounterStore;
  policy: ClientAuthThrottlePolicy;
  events: SecurityEvents;
  /** The provider's endpoints that authenticate clients (token, introspection, revocation, PAR). */
  paths: readonly string[];
  now?: () => number;
  onLockout?: OnLockout | undefined;
}): Middleware {
  const { counters, policy } = deps;
  const now = deps.now ?? Date.now;
  const onLockout = deps.onLockout ?? (() => undefined);
  const paths = new Set(deps.paths);
  const knownGood = new LRUCache<string, true>({ max: KNOWN_GOOD_MAX, ttl: KNOWN_GOOD_TTL_MS });
  /** Units held by checks under way in this process, per counter key. */
  const held = new Map<string, number>();
  /** Requests waiting for a unit to be given back. */
  let waiters: (() => void)[] = [];
  /** Units given back after their failure was counted in the store, ever (see `admit`). */
  let countedReleases = 0;

  function refuse(ctx: Context, resetAt: number): void {
    const seconds = Math.max(1, Math.ceil((resetAt - now()) / 1000));
    ctx.status = 429;
    ctx.set('Retry-After', String(seconds));
    ctx.set('Cache-Control', 'no-store');
    // RFC 6749 defines no error code for rate limits; the shape stays an OAuth error.
    ctx.body = {
      error: 'too_many_requests',
      error_description: `too many failed client authentications; retry after ${seconds} seconds`,
    };
  }

  /** The limits a request counts against: per network, and per claimed client id and network. */
  const limitsOf = (clientId: string | undefined, ip: string) => [
    { key: counterKeys.clientAuthIpFailures(ip), max: policy.ipMaxFailures },
    ...(clientId === undefined
      ? []
      : [{ key: counterKeys.clientAuthFailures(clientId, ip), max: policy.maxFailures }]),
  ];
  type Limit = ReturnType<typeof limitsOf>[number];

  function giveBack(keys: readonly string[], counted: boolean): void {
    if (counted && keys.length > 0) countedReleases += 1;
    for (const key of keys) {
      const left = (held.get(key) ?? 1) - 1;
      if (left > 0) held.set(key, left);
      else held.delete(key);
    }
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  }

  /**
   * Reserves a unit of each limit, or answers the end of the window that refuses the request.
   * Both failure counters are read at once (this runs before every token request).
   */
  async function admit(limits: readonly Limit[], reserve: boolean): Promise<string[] | number> {
    const deadline = now() + WAIT_MS;
    for (;;) {
      // A failure given back while the counters were being read may be missing from what was
      // read (read before its hit landed) and is no longer held here: read again.
      const releasesBefore = countedReleases;
      const states = await Promise.all(limits.map((l) => counters.get(l.key)));
      if (countedReleases !== releasesBefore) continue;
      const failedOut = limits.findIndex((l, i) => (states[i]?.count ?? 0) >= l.max);
      if (failedOut >= 0) return states[failedOut]?.resetAt ?? now() + policy.windowMs;
      if (!reserve) return [];
      // From the reads to the reservation, synchronous: no other request of this process can
      // take the same room in between.
      const full = limits.some((l, i) => (states[i]?.count ?? 0) + (held.get(l.key) ?? 0) >= l.max);
      if (!full) {
        for (const l of limits) held.set(l.key, (held.get(l.key) ?? 0) + 1);
        return limits.map((l) => l.key);
      }
      const left = deadline - now();
      if (left <= 0) return now() + 1000;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return async function throttleClientAuthentication(ctx, next) {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const ip = ctx.request.ip;
    const { clientId, fingerprint } = await claimedCredential(ctx);
    const trusted = fingerprint !== undefined && knownGood.has(fingerprint);
    const limits = limitsOf(clientId, ip);
    // With the store down the provider cannot authenticate anyone either: it answers its own
    // OAuth-shaped 503 `temporarily_unavailable`, which a 500 of ours must not replace.
    const admitted = (await admit(limits, !trusted).catch(passOutage)) ?? [];
    if (typeof admitted === 'number') return refuse(ctx, admitted);

    let failed = false;
    try {
      try {
        await next();
        failed = isInvalidClient(ctx);
      } catch (err) {
        giveBack(admitted, false);
        admitted.length = 0;
        throw err;
      }
      if (!failed) {
        // The provider names the client it authenticated (lib/shared/client_auth.js).
        if (fingerprint !== undefined && (ctx as { oidc?: { client?: unknown } }).oidc?.client)
          knownGood.set(fingerprint, true);
        return;
      }
      if (fingerprint !== undefined) knownGood.delete(fingerprint);
      try {
        const [network, own] = await Promise.all(
          limits.map((l) => counters.hit(l.key, policy.windowMs)),
        );
        // Only the failure that reaches a limit starts a lock: failures only grow inside a window,
        // and requests refused during it never get here (they are answered 429 above).
        if (network?.count === policy.ipMaxFailures) onLockout('client');
        await deps.events.record({
          type: 'client_auth.failed',
          clientId,
          ip,
          details: { endpoint: ctx.path },
        });
        if (own?.count === policy.maxFailures) {
          onLockout('client');
          await deps.events.record({
            type: 'client_auth.throttled',
            clientId,
            ip,
            details: { endpoint: ctx.path },
          });
        }
      } catch (err) {
        passOutage(err);
      }
    } finally {
      // After the failure is in the store: from then on the read above sees it instead.
      giveBack(admitted, failed);
    }
  };
}
