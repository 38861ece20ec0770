import { Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import { markLogoutNotQueued } from '../oidc/logout-not-queued.ts';
import type { OutboxStore } from '../storage/outbox-ports.ts';
import { newDeliveryId } from './delivery-id.ts';
import { logoutIntentDelivery } from './logout-intent.ts';
import type { OutboxWorker } from './outbox-worker.ts';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export const BACKCHANNEL_CONTENT_TYPE = 'application/x-www-form-urlencoded';

function logoutTokenOf(init: RequestInit | undefined): string | undefined {
  if (init?.method !== 'POST' || !(init.body instanceof URLSearchParams)) return undefined;
  return init.body.get('logout_token') ?? undefined;
}

/** `aud`, `sub` and `sid` of our own logout token (never verified here: we just signed it). */
export function logoutTokenClaims(body: string): {
  clientId?: string;
  subject?: string;
  sid?: string;
} {
  const token = new URLSearchParams(body).get('logout_token') ?? '';
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { aud?: unknown; sub?: unknown; sid?: unknown };
    const aud = Array.isArray(claims.aud) ? (claims.aud[0] as unknown) : claims.aud;
    return {
      ...(typeof aud === 'string' ? { clientId: aud } : {}),
      ...(typeof claims.sub === 'string' ? { subject: claims.sub } : {}),
      ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * oidc-provider's `fetch` (the one hook for its outgoing requests) with back-channel logout
 * tokens going through the store outbox: the token the engine hands over is written to the
 * outbox first (as a logout intent, re-signed by the worker, where `asIntent`), then this process claims it and makes the first attempt at once, answering the
 * engine with that attempt's result (so `backchannel.success` / `backchannel.error` still mean
 * what they say and the logout page does not wait for retries). A failed attempt stays in the
 * outbox, retried with backoff by whichever process's worker claims it next — after a restart
 * too (OIDC Back-Channel Logout §2.8 leaves retries to the OP). The engine hands tokens over
 * before it destroys the session (lib/actions/end_session.js), so the token is durable before
 * the session ends. If the outbox cannot be written (store outage) the request is marked and the
 * session is not destroyed (src/oidc/logout-not-queued.ts): the logout fails visibly instead of
 * losing the token. Every other outgoing request goes to `fallback` untouched.
 */
export function createBackchannelOutboxFetch(deps: {
  outbox: OutboxStore;
  worker: OutboxWorker;
  fallback: Fetch;
  now: () => number;
  log: Logger;
  /**
   * Store a logout intent (who, which session) instead of the engine's signed token, for the
   * worker to sign at each attempt (src/outbox/logout-intent.ts): the same `jti` on every retry
   * and never an expired token. Only where this process's outbox can sign them.
   */
  asIntent: boolean;
}): Fetch {
  return async function fetchThroughOutbox(input, init) {
    const token = logoutTokenOf(init);
    if (token === undefined || init === undefined) return deps.fallback(input, init);
    const url = input instanceof Request ? input.url : String(input);
    const body = new URLSearchParams({ logout_token: token }).toString();
    const claims = logoutTokenClaims(body);
    const time = deps.now();
    // A token without `sid` belongs to a client that does not ask for one: the token the worker
    // signs leaves it out as well (src/oidc/logout-token.ts), so any value stands in.
    const delivery =
      deps.asIntent && claims.clientId !== undefined && claims.subject !== undefined
        ? logoutIntentDelivery(
            { clientId: claims.clientId, url, sub: claims.subject, sid: claims.sid ?? '' },
            time,
          )
        : {
            id: newDeliveryId(time),
            kind: 'backchannel_logout' as const,
            url,
            body,
            contentType: BACKCHANNEL_CONTENT_TYPE,
            target: claims.clientId ?? new URL(url).host,
            topic: 'logout',
            availableAt: time,
          };
    const { id } = delivery;
    try {
      await deps.outbox.enqueue([delivery]);
    } catch (err) {
      deps.log.warn(
        { err, event: 'outbox.enqueue_failed', kind: 'backchannel_logout' },
        'could not write a logout token to the outbox; the logout fails and the session stays',
      );
      // Never a delivery from memory only (lost on restart): the session this token is about is
      // kept instead, and the logout answered 503 (src/oidc/logout-not-queued.ts).
      markLogoutNotQueued(Provider.ctx);
      throw err;
    }
    const outcome = await deps.worker.deliverNow(id).catch((err: unknown) => {
      deps.log.warn({ err, event: 'outbox.first_attempt_failed', id }, 'first attempt failed');
      return undefined;
    });
    // Not attempted here (the store refused the claim): the worker will; tell the engine it is
    // not delivered yet.
    if (outcome === undefined) return new Response(null, { status: 503 });
    if (outcome.status !== undefined) return new Response(null, { status: outcome.status });
    throw new Error(outcome.error ?? 'delivery failed');
  };
}
