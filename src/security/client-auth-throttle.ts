import type { Context, Middleware } from 'koa';
import { peekFormBody } from '../http/peek-form-body.ts';
import { StoreUnavailableError, type CounterStore } from '../storage/ports.ts';
import { createCounterReservations, type Reservation } from './counter-reservation.ts';
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

// How long a request waits for undecided ones holding the limit's units, and how often it looks
// (backing off, so a crowd of waiting requests does not load the store).
const WAIT_MS = 5000;
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 250;

// The provider refuses larger bodies on these endpoints itself (56 KiB).
const PEEK_LIMIT = 56 * 1024;

/** RFC 6749 §2.3.1: client_id in HTTP Basic is form-urlencoded before base64. */
function clientIdFromBasic(header: string): string | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/** The `sub` (= client_id, RFC 7523 §3) of a client assertion, unverified: only a counter key. */
function clientIdFromAssertion(assertion: string): string | undefined {
  const payload = assertion.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which client a token, introspection or revocation request claims to be, read before the
 * provider sees it: from HTTP Basic, else from the form body (`client_id`, or a client
 * assertion's subject). A spoofed id only spends the spoofer's own budget: counters are per
 * client id *and* network.
 */
async function claimedClientId(ctx: Context): Promise<string | undefined> {
  const authorization = ctx.get('authorization');
  if (authorization) return clientIdFromBasic(authorization);
  const form = await peekFormBody(ctx.req, PEEK_LIMIT);
  const ids = form?.getAll('client_id') ?? [];
  if (ids.length === 1) return ids[0];
  const assertion = form?.getAll('client_assertion') ?? [];
  return assertion.length === 1 && assertion[0] ? clientIdFromAssertion(assertion[0]) : undefined;
}

/** Swallows a store outage (answering "no limit known"), rethrows anything else. */
function passOutage(err: unknown): undefined {
  if (err instanceof StoreUnavailableError) return undefined;
  throw err;
}

function isInvalidClient(ctx: Context): boolean {
  const body = ctx.body as { error?: unknown } | undefined;
  return ctx.status === 401 && typeof body === 'object' && body !== null && body.error === 'invalid_client';
}

/**
 * Brute-force limits on client authentication (ASVS 6.3.1, 2.4.1; security reference A36): the
 * provider has none. Counts only failed client authentications — the provider's 401
 * `invalid_client` answers, seen after it answered — per client id and network, and per
 * network over all client ids; once over a limit, requests are refused with 429 and
 * `Retry-After` *before* the provider checks the credentials, so guessing stops there.
 *
 * Each request also reserves its unit of both limits before the provider sees it, and gives
 * them back unless it fails (counter-reservation.ts): a limit read before and counted after
 * let a parallel burst through whole (30 of 30 checked against 10 on MongoDB; issue 12 item 7).
 * A request that finds the units taken by requests still being checked, while the failures
 * proper are below the limit, waits for them to be decided rather than being refused: a client
 * sending many good requests at once is slowed down, not turned away.
 */
export function throttleClientAuthentication(deps: {
  counters: CounterStore;
  policy: ClientAuthThrottlePolicy;
  events: SecurityEvents;
  /** The provider's endpoints that authenticate clients (token, introspection, revocation, PAR). */
  paths: readonly string[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onLockout?: OnLockout | undefined;
}): Middleware {
  const { counters, policy } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const onLockout = deps.onLockout ?? (() => undefined);
  const paths = new Set(deps.paths);
  const reservations = createCounterReservations(counters);

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
    ...(clientId === undefined ? [] : [{ key: counterKeys.clientAuthFailures(clientId, ip), max: policy.maxFailures }]),
  ];

  /**
   * This request's units of its limits; or, when it is to be refused, the end of the window
   * that refuses it. While units are held only by requests still being checked (failures below
   * the limit), it waits for them at most `WAIT_MS`, looking with reads only (a unit taken and
   * given back on every look would be two writes per look and waiting request).
   */
  async function admit(clientId: string | undefined, ip: string): Promise<Reservation[] | number> {
    const limits = limitsOf(clientId, ip);
    const max = (i: number) => limits[i]?.max ?? 0;
    const deadline = now() + WAIT_MS;
    let pause = FIRST_POLL_MS;
    for (;;) {
      const held = await Promise.all(limits.map((l) => reservations.reserve(l.key, policy.windowMs)));
      const failedOut = held.find((r, i) => r.failed >= max(i));
      const full = held.find((r, i) => r.inUse > max(i));
      if (!failedOut && !full) return held;
      await Promise.all(held.map((r) => reservations.release(r)));
      if (failedOut) return failedOut.resetAt;
      for (let room = false; !room; ) {
        if (now() >= deadline) return full?.resetAt ?? now() + 1000;
        await sleep(pause);
        pause = Math.min(pause * 2, MAX_POLL_MS);
        const states = await Promise.all(limits.map((l) => reservations.state(l.key)));
        const out = states.find((state, i) => state !== undefined && state.failed >= max(i));
        if (out) return out.resetAt;
        room = states.every((state, i) => state === undefined || state.inUse < max(i));
      }
    }
  }

  return async function throttleClientAuthentication(ctx, next) {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const ip = ctx.request.ip;
    const clientId = await claimedClientId(ctx);
    // With the store down the provider cannot authenticate anyone either: it answers its own
    // OAuth-shaped 503 `temporarily_unavailable`, which a 500 of ours must not replace.
    const admitted = (await admit(clientId, ip).catch(passOutage)) ?? [];
    if (typeof admitted === 'number') return refuse(ctx, admitted);

    let failed = false;
    try {
      await next();
      failed = isInvalidClient(ctx);
    } finally {
      // Not a failed authentication (or the provider threw): the units go back.
      if (!failed) await Promise.all(admitted.map((r) => reservations.release(r))).catch(passOutage);
    }
    if (!failed) return;
    try {
      const [network, own] = await Promise.all(admitted.map((r) => reservations.fail(r)));
      // Only the failure that reaches a limit starts a lock: failures only grow inside a window,
      // and requests refused during it never get here (they are answered 429 above).
      if (network === policy.ipMaxFailures) onLockout('client');
      await deps.events.record({ type: 'client_auth.failed', clientId, ip, details: { endpoint: ctx.path } });
      if (own === policy.maxFailures) {
        onLockout('client');
        await deps.events.record({ type: 'client_auth.throttled', clientId, ip, details: { endpoint: ctx.path } });
      }
    } catch (err) {
      passOutage(err);
    }
  };
}
