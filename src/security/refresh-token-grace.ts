import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Middleware } from 'koa';
import { bearerEntries } from '../oidc/bearer-entries.ts';
import { StoreUnavailableError, type CounterStore, type OidcModelStore } from '../storage/ports.ts';
import { peekFormBody } from '../http/peek-form-body.ts';

export interface RefreshTokenGraceDeps {
  /** Seconds a just-rotated refresh token answers with its successor; 0 turns the window off. */
  windowSeconds: number;
  counters: Pick<CounterStore, 'hit'>;
  oidc: OidcModelStore;
  /** oidc-provider's default route. */
  path?: string;
  now?: () => number;
}

const DEFAULT_PATH = '/token';
const MODEL = 'RefreshTokenGrace';
const PEEK_LIMIT = 16_384;
const POLL_MS = 25;
// A follower waits at most this long for the winner's answer (the engine answers in milliseconds;
// this only bounds a winner that crashed), then asks the engine itself.
const MAX_WAIT_MS = 5_000;
// Failed winners handed on before the rest go to the engine unprotected.
const MAX_ROUNDS = 3;
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Outcome {
  /** Fingerprint of the request (token, client authentication, every parameter). */
  fingerprint: string;
  body: Record<string, unknown>;
}

/**
 * The refresh-token reuse grace window (issue 12, item 12). oidc-provider rotates refresh tokens
 * and treats any second use of one as theft: it revokes the whole grant (RFC 9700 §4.14.2). Two
 * requests a client sends at once with the same token (a double click, two tabs, a retry after a
 * timeout) then end with 200 and 400, and the winner's new token dies with the grant: the user is
 * logged out. RFC 9700 §4.14.2 allows the server to tolerate such races; here, for
 * `security.refreshTokenReuseGraceSeconds` after a refresh, an **identical** request with the same
 * token gets the **same** answer (the same successor tokens) instead of a reuse verdict. After the
 * window the engine's reuse detection applies unchanged.
 *
 * How, across every process on the store:
 *   1. The token is reserved atomically in the shared counter store (`CounterStore.hit`, one
 *      counter per token, as long as the window): the first request is the winner and goes on to
 *      the engine, which authenticates the client and rotates the token as always.
 *   2. The winner's successful answer is kept for the window in the store (model
 *      `RefreshTokenGrace`, under a hash of the token) encrypted with AES-256-GCM under a key
 *      derived from the presented refresh token (HKDF-SHA256), so a database dump reveals
 *      nothing, and no key of the server can open it: only a holder of the old token can.
 *      A failed answer is recorded as failed (nothing secret), which sends waiting requests on.
 *   3. A request that finds the token reserved waits for that answer and is given it only when
 *      its fingerprint — a hash of the Authorization header and every form parameter (token,
 *      client id, secret or assertion, scope, resource) — equals the winner's: the same client
 *      authentication the engine accepted, so it is never bypassed, and the same request. It is
 *      also given it only while the successor refresh token is still unused and unrevoked (a
 *      logout or another rotation in between ends the tolerance). Otherwise, or when no answer
 *      comes, the request goes to the engine, whose reuse detection revokes the grant.
 *
 * DPoP-bound refreshes (a `DPoP` header) are left out: every DPoP proof is unique (its `jti`,
 * RFC 9449 §4.2), so two requests can never be identical, and binding the window to the proof's
 * key would mean verifying the proof here, which the engine does. They keep strict single use.
 */
export function refreshTokenGrace(deps: RefreshTokenGraceDeps): Middleware {
  const path = deps.path ?? DEFAULT_PATH;
  const now = deps.now ?? Date.now;
  const windowMs = deps.windowSeconds * 1000;
  const entries = bearerEntries(deps.oidc);

  const digest = (text: string) => createHash('sha256').update(text).digest('base64url');
  const keyOf = (token: string) =>
    Buffer.from(
      hkdfSync('sha256', Buffer.from(token, 'utf8'), 'portcullis', 'refresh-token-grace-v1', 32),
    );

  function seal(token: string, id: string, outcome: Outcome): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keyOf(token), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(id, 'utf8'));
    const sealed = Buffer.concat([
      cipher.update(JSON.stringify(outcome), 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return Buffer.concat([iv, sealed]).toString('base64url');
  }

  function open(token: string, id: string, stored: string): Outcome | undefined {
    try {
      const bytes = Buffer.from(stored, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', keyOf(token), bytes.subarray(0, IV_BYTES), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return JSON.parse(plain.toString('utf8')) as Outcome;
    } catch {
      return undefined;
    }
  }

  /** The successor is still the live token of the grant: unused, unrevoked, unexpired. */
  async function successorIsLive(body: Record<string, unknown>): Promise<boolean> {
    const successor = body.refresh_token;
    if (typeof successor !== 'string') return false;
    const entry = await entries.find('RefreshToken', successor);
    const exp = entry?.exp;
    return (
      entry !== undefined &&
      entry.consumed === undefined &&
      (typeof exp !== 'number' || exp * 1000 > now())
    );
  }

  async function awaitOutcome(
    id: string,
  ): Promise<{ failed: true } | { sealed: string } | undefined> {
    const deadline = now() + Math.min(windowMs, MAX_WAIT_MS);
    for (;;) {
      const stored = await deps.oidc.find(MODEL, id);
      if (stored?.failed === true) return { failed: true };
      if (typeof stored?.sealed === 'string') return { sealed: stored.sealed };
      if (now() >= deadline) return undefined;
      await sleep(POLL_MS);
    }
  }

  return async function refreshTokenGraceWindow(ctx, next) {
    if (windowMs <= 0 || ctx.method !== 'POST' || ctx.path !== path || ctx.get('dpop') !== '')
      return next();
    const form = await peekFormBody(ctx.req, PEEK_LIMIT);
    const token = form?.get('refresh_token');
    if (!form || form.get('grant_type') !== 'refresh_token' || !token) return next();

    const id = `sha256:${digest(`${MODEL}\u0000${token}`)}`;
    const fingerprint = digest(
      JSON.stringify([
        ctx.get('authorization'),
        [...form.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ]),
    );

    // Round k has its own reservation and answer. A winner that failed (a wrong client secret
    // raced the real client, say) hands on to round k+1 instead of sending everyone waiting to
    // the engine at once, where all but one would be reuses.
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const roundId = `${id}.${round}`;
      let reserved: number;
      try {
        reserved = (await deps.counters.hit(`refresh-grace:${roundId}`, windowMs)).count;
      } catch (err) {
        // The store is down: the engine answers 503 temporarily_unavailable in its JSON shape.
        if (err instanceof StoreUnavailableError) return next();
        throw err;
      }

      if (reserved === 1) {
        let kept: Record<string, unknown> = { failed: true };
        try {
          await next();
          const body = ctx.body as Record<string, unknown> | undefined;
          if (ctx.status === 200 && typeof body?.access_token === 'string') {
            kept = { sealed: seal(token, roundId, { fingerprint, body }) };
          }
        } finally {
          // Best effort: the tokens are issued and must reach this client whatever happens here.
          // If the store refuses the write, waiting requests time out and go to the engine.
          await deps.oidc.upsert(MODEL, roundId, kept, now() + windowMs).catch(() => undefined);
        }
        return;
      }

      const outcome = await awaitOutcome(roundId);
      if (outcome === undefined) break;
      if ('failed' in outcome) continue;
      const opened = open(token, roundId, outcome.sealed);
      if (
        opened &&
        // Hashes of the two requests: comparing them in variable time reveals nothing usable.
        opened.fingerprint === fingerprint &&
        (await successorIsLive(opened.body))
      ) {
        ctx.status = 200;
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Pragma', 'no-cache');
        ctx.body = opened.body;
        return;
      }
      break;
    }
    return next();
  };
}
