import type { Context, Middleware } from 'koa';
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
 */
export function throttleClientAuthentication(deps: {
  counters: CounterStore;
  policy: ClientAuthThrottlePolicy;
  events: SecurityEvents;
  /** The provider's endpoints that authenticate clients (token, introspection, revocation). */
  paths: readonly string[];
  now?: () => number;
  onLockout?: OnLockout | undefined;
}): Middleware {
  const { counters, policy } = deps;
  const now = deps.now ?? Date.now;
  const onLockout = deps.onLockout ?? (() => undefined);
  const paths = new Set(deps.paths);

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

  /** The limit this request is over, if any. */
  async function over(clientId: string | undefined, ip: string): Promise<number | undefined> {
    // Both reads at once: this runs before every token, introspection and revocation request.
    const [network, own] = await Promise.all([
      counters.get(counterKeys.clientAuthIpFailures(ip)),
      clientId === undefined ? undefined : counters.get(counterKeys.clientAuthFailures(clientId, ip)),
    ]);
    if (network && network.count >= policy.ipMaxFailures) return network.resetAt;
    return own && own.count >= policy.maxFailures ? own.resetAt : undefined;
  }

  return async function throttleClientAuthentication(ctx, next) {
    if (ctx.method !== 'POST' || !paths.has(ctx.path)) return next();
    const ip = ctx.request.ip;
    const clientId = await claimedClientId(ctx);
    // With the store down the provider cannot authenticate anyone either: it answers its own
    // OAuth-shaped 503 `temporarily_unavailable`, which a 500 of ours must not replace.
    const resetAt = await over(clientId, ip).catch(passOutage);
    if (resetAt !== undefined) return refuse(ctx, resetAt);

    await next();

    if (!isInvalidClient(ctx)) return;
    try {
      const network = await counters.hit(counterKeys.clientAuthIpFailures(ip), policy.windowMs);
      const own = clientId === undefined ? undefined : await counters.hit(counterKeys.clientAuthFailures(clientId, ip), policy.windowMs);
      // Only the failure that reaches a limit starts a lock; requests refused during it never
      // get here (they are answered 429 above), and counts only grow inside a window.
      if (network.count === policy.ipMaxFailures) onLockout('client');
      await deps.events.record({ type: 'client_auth.failed', clientId, ip, details: { endpoint: ctx.path } });
      if (own?.count === policy.maxFailures) {
        onLockout('client');
        await deps.events.record({ type: 'client_auth.throttled', clientId, ip, details: { endpoint: ctx.path } });
      }
    } catch (err) {
      passOutage(err);
    }
  };
}
