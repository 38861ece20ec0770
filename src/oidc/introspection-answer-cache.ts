import { hash } from 'node:crypto';
import { deepFreeze } from '../config/deep-freeze.ts';
import type { IncomingMessage } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { FastLane, LaneAnswer } from '../http/fast-lane.ts';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AnswerCache } from '../cache/answer-cache.ts';
import type { SharedAnswerTier } from '../cache/redis-answer-tier.ts';
import { peekForm } from '../http/peek-form-body.ts';
import { looksLikeJwt } from './jwt-access-token-verifier.ts';
import type { OidcModelName } from '../storage/ports.ts';
import { accountKey, CACHED_TOKEN_MODELS, grantKey, tokenKey } from './invalidation-keys.ts';

/** An answer of the engine's introspection endpoint, as it left the engine. */
export interface CachedIntrospection {
  /** Headers the engine and the hooks set (Cache-Control, Content-Type, ...), in order. */
  headers: readonly (readonly [string, string])[];
  body: Readonly<Record<string, unknown>>;
  /** The body as Koa sends it (`JSON.stringify`), for the fast lane. */
  bytes: Buffer;
  /** What the request log and metrics read after the engine answered (src/http/request-logger.ts). */
  matchedRoute: unknown;
  matchedRouteName: unknown;
  clientId: string | undefined;
}

export interface IntrospectionAnswerCacheDeps {
  cache: AnswerCache<CachedIntrospection>;
  /** The invalidation feed is current (src/cache/invalidation-feed.ts): hits and fills may happen. */
  fresh(): boolean;
  /** The provider's introspection endpoint path. */
  path: string;
  now?: () => number;
  /** Requests the fast lane looked up and missed: not looked up (nor counted) twice. */
  missedByLane?: WeakSet<IncomingMessage>;
  /** The tier every process shares (Redis), asked on a miss here before the engine. */
  shared?: SharedAnswerTier;
}

/** An answer as the shared tier keeps it (a string: Redis holds bytes). */
function encodeShared(value: CachedIntrospection): string {
  const { headers, matchedRoute, matchedRouteName, clientId } = value;
  return JSON.stringify({
    headers,
    json: value.bytes.toString('utf8'),
    matchedRoute,
    matchedRouteName,
    clientId,
  });
}

function decodeShared(text: string): CachedIntrospection | undefined {
  try {
    const shared = JSON.parse(text) as {
      headers: [string, string][];
      json: string;
      matchedRoute: unknown;
      matchedRouteName: unknown;
      clientId?: string;
    };
    return {
      headers: shared.headers,
      body: deepFreeze(JSON.parse(shared.json) as Record<string, unknown>),
      bytes: Buffer.from(shared.json),
      matchedRoute: shared.matchedRoute,
      matchedRouteName: shared.matchedRouteName,
      clientId: shared.clientId,
    };
  } catch {
    return undefined;
  }
}

function replay(ctx: HostContext, hit: CachedIntrospection): void {
  ctx.status = 200;
  for (const [name, value] of hit.headers) ctx.set(name, value);
  ctx.body = hit.body;
  ctx._matchedRoute = hit.matchedRoute;
  ctx._matchedRouteName = hit.matchedRouteName;
  if (hit.clientId !== undefined) ctx.state.clientId = hit.clientId;
}

/** Matches oidc-provider's own limit for the token endpoints' bodies closely enough to peek. */
const PEEK_LIMIT = 16_384;

type HostContext = Context & { _matchedRoute?: unknown; _matchedRouteName?: unknown };

/**
 * The key of an introspection request: everything the engine's answer depends on that the
 * request carries — the caller's credential (Authorization), what it accepts, where it calls
 * from (CORS), and the whole form. Anything else it depends on is state, dropped by the
 * invalidation feed. Only HTTP Basic callers without DPoP are keyed: other client
 * authentication methods (assertions, mTLS) prove something per request.
 */
async function requestKey(req: IncomingMessage): Promise<string | undefined> {
  const { authorization, dpop, accept, origin } = req.headers;
  if (authorization?.startsWith('Basic ') !== true || dpop !== undefined) return undefined;
  const peeked = await peekForm(req, PEEK_LIMIT);
  const token = peeked?.form.get('token');
  // RFC 9068 JWTs are answered by a hook from their live state, not by the engine: not cached.
  if (!peeked || !token || looksLikeJwt(token)) return undefined;
  // The body as sent: two encodings of one form are two keys (a miss each, never a wrong hit).
  return hash(
    'sha256',
    `${authorization}\n${accept ?? ''}\n${origin ?? ''}\n${peeked.text}`,
    'base64url',
  );
}

interface Loaded {
  kind?: unknown;
  jti?: unknown;
  grantId?: unknown;
  accountId?: unknown;
  exp?: unknown;
}

/** The entry for an answer the engine just gave, or none when it must not be remembered. */
function entryOf(
  ctx: HostContext,
  before: Record<string, unknown>,
  now: number,
): { value: CachedIntrospection; expiresAt: number; tags: string[] } | undefined {
  const { oidc } = ctx as Partial<KoaContextWithOIDC>;
  const body = ctx.body as Record<string, unknown> | undefined;
  if (oidc?.route !== 'introspection' || ctx.status !== 200 || body?.active !== true) return;
  if (!ctx.response.is('json')) return;
  const entities = oidc.entities as Record<string, Loaded | undefined>;
  const kind = [...CACHED_TOKEN_MODELS].find((model) => entities[model] !== undefined);
  const token = kind === undefined ? undefined : entities[kind];
  if (kind === undefined || typeof token?.jti !== 'string' || typeof token.exp !== 'number') return;
  const tags = [tokenKey(kind as OidcModelName, token.jti)];
  let expiresAt = token.exp * 1000;
  const grant = entities.Grant;
  if (typeof token.grantId === 'string') tags.push(grantKey(token.grantId));
  if (typeof grant?.exp === 'number') expiresAt = Math.min(expiresAt, grant.exp * 1000);
  if (typeof token.accountId === 'string') tags.push(accountKey(token.accountId));
  if (expiresAt <= now) return;

  const json = JSON.stringify(body);
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(ctx.response.headers)) {
    if (before[name] === value || value === undefined || name === 'content-length') continue;
    headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return {
    value: {
      headers,
      body: deepFreeze(JSON.parse(json) as Record<string, unknown>),
      bytes: Buffer.from(json),
      matchedRoute: ctx._matchedRoute,
      matchedRouteName: ctx._matchedRouteName,
      clientId: oidc.client?.clientId,
    },
    expiresAt,
    tags,
  };
}

/**
 * The in-process tier for introspection (issue 18 item 1): APIs introspect the same token on
 * every request they serve, and the engine's answer for an opaque token changes only when the
 * token, its grant, its account or a client changes — each published on the invalidation feed.
 * So the engine's own answer (its client authentication, `introspection.allowedPolicy`, its
 * output) is remembered per request key and replayed, headers and all, until the token expires
 * or a change names it. This copies nothing of the engine: a miss is the engine; a hit is what
 * the engine said to the byte-identical request. Only `active: true` answers are kept (an
 * inactive one costs the engine little and may turn active never).
 */
export function introspectionAnswerCache(deps: IntrospectionAnswerCacheDeps): Middleware {
  const now = deps.now ?? Date.now;
  return async function introspectionAnswerCache(ctx: HostContext, next) {
    if (ctx.method !== 'POST' || ctx.path !== deps.path) return next();
    const key = await requestKey(ctx.req);
    if (key === undefined || !deps.fresh()) return next();

    const hit = deps.missedByLane?.has(ctx.req) ? undefined : deps.cache.get(key);
    if (hit) return replay(ctx, hit);

    const generation = deps.cache.generation();
    const shared = await deps.shared?.lookup(key);
    const found = shared?.entry && deps.fresh() ? decodeShared(shared.entry.value) : undefined;
    if (shared?.entry && found) {
      deps.cache.set(key, { ...shared.entry, value: found }, generation);
      return replay(ctx, found);
    }
    const before = { ...ctx.response.headers };
    await next();
    const entry = entryOf(ctx, before, now());
    if (!entry || !deps.fresh()) return;
    deps.cache.set(key, entry, generation);
    if (shared) deps.shared?.set(key, { ...entry, value: encodeShared(entry.value) }, shared.epoch);
  };
}

/**
 * The same remembered answers, given before Koa (src/http/fast-lane.ts): what a hit of the
 * middleware above does, without the host chain around it. A miss goes on to the app, where the
 * middleware finds the body already peeked and fills the cache from the engine's answer.
 */
export function introspectionFastLane(
  deps: Pick<IntrospectionAnswerCacheDeps, 'cache' | 'fresh' | 'path'> & {
    missedByLane: WeakSet<IncomingMessage>;
  },
): FastLane {
  // One lane answer per remembered entry, so the lane can keep what it derives from it.
  const answers = new WeakMap<CachedIntrospection, LaneAnswer>();
  return {
    claims: (req) =>
      req.method === 'POST' &&
      req.url === deps.path &&
      req.headers.authorization?.startsWith('Basic ') === true &&
      req.headers.dpop === undefined,
    async answer(req) {
      const key = await requestKey(req);
      if (key === undefined || !deps.fresh()) return undefined;
      const hit = deps.cache.get(key);
      if (!hit) {
        deps.missedByLane.add(req);
        return undefined;
      }
      let answer = answers.get(hit);
      if (!answer) {
        answer = {
          headers: hit.headers,
          bytes: hit.bytes,
          route: typeof hit.matchedRoute === 'string' ? hit.matchedRoute : 'unmatched',
          routeName: hit.matchedRouteName,
          clientId: hit.clientId,
          body: hit.body,
        };
        answers.set(hit, answer);
      }
      return answer;
    },
  };
}
