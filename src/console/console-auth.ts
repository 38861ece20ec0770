import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Context } from 'koa';
import { ACR_MFA, ACR_PHISHING_RESISTANT } from '../oidc/acr-values.ts';
import { MFA_METADATA } from '../oidc/client-metadata.ts';
import type { OidcModelStore } from '../storage/ports.ts';

/** The console's own client: public (no secret), code + PKCE S256 (RFC 9700 §2.1.1). */
export const CONSOLE_CLIENT_ID = 'portcullis-console';
export const CONSOLE_PATH = '/console';
const FLOW_COOKIE = 'pc_console_flow';
export const SESSION_COOKIE = 'pc_console';

export interface ConsoleSession {
  /** Random per sign-in: what the CSRF tokens are bound to. */
  sid: string;
  sub: string;
  username: string;
  /** When the admin last authenticated at the OP (`auth_time`, epoch seconds). */
  authTime: number;
  /** When this console session ends (epoch ms). */
  exp: number;
}

interface Flow {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

const b64url = (buf: Buffer) => buf.toString('base64url');
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function decode<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
const equal = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Only our own console paths are places to come back to (no open redirect, RFC 9700 §4.11). */
export function safeReturn(value: unknown): string {
  return typeof value === 'string' &&
    /^\/console(\/[A-Za-z0-9_\-./?=&%]*)?$/.test(value) &&
    !value.includes('//') &&
    !value.includes('..')
    ? value
    : CONSOLE_PATH;
}

export function consoleRedirectUri(issuer: string): string {
  return `${issuer}${CONSOLE_PATH}/callback`;
}

/**
 * The console client as stored: registered (again) at start and before each sign-in, so an admin
 * who deleted it cannot lock the console out. `require_auth_time` puts `auth_time` in every ID
 * token: the console compares it with `console.reauthSeconds` before dangerous actions.
 * `mfa: required` (docs/mfa.md): every console sign-in takes a second factor, and an admin who has
 * none enrols one during that sign-in (ASVS 6.3.3: administrative interfaces need MFA). Not a
 * setting: an operator cannot weaken it, and the callback checks the `acr` it led to.
 */
export async function ensureConsoleClient(oidc: OidcModelStore, issuer: string): Promise<void> {
  const wanted: Record<string, unknown> = {
    client_id: CONSOLE_CLIENT_ID,
    client_name: 'Portcullis admin console',
    application_type: 'web',
    redirect_uris: [consoleRedirectUri(issuer)],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
    scope: 'openid',
    require_auth_time: true,
    [MFA_METADATA]: 'required',
  };
  const stored = await oidc.find('Client', CONSOLE_CLIENT_ID);
  // Unchanged: no write, so a sign-in does not drop every process's client cache (a client
  // write is published on the invalidation feed).
  if (
    stored !== undefined &&
    Object.entries(wanted).every(
      ([key, value]) => JSON.stringify(stored[key]) === JSON.stringify(value),
    )
  )
    return;
  await oidc.upsert('Client', CONSOLE_CLIENT_ID, {
    ...wanted,
    // RFC 7591 §3.2.1, as every stored client has it (the admin API lists it).
    client_id_issued_at:
      typeof stored?.client_id_issued_at === 'number'
        ? stored.client_id_issued_at
        : Math.floor(Date.now() / 1000),
  });
}

const cookieOptions = (ctx: Context, maxAgeMs: number, sameSite: 'lax' | 'strict') => ({
  signed: true,
  httpOnly: true,
  sameSite,
  path: CONSOLE_PATH,
  maxAge: maxAgeMs,
  secure: ctx.secure,
  overwrite: true,
});

/** The authorization request (OIDC Core §3.1.2.1), its state kept in a signed cookie. */
export function startSignIn(
  ctx: Context,
  options: { issuer: string; returnTo: string; maxAge?: number | undefined },
): string {
  const flow: Flow = {
    state: b64url(randomBytes(16)),
    nonce: b64url(randomBytes(16)),
    verifier: b64url(randomBytes(32)),
    returnTo: safeReturn(options.returnTo),
  };
  ctx.cookies.set(FLOW_COOKIE, encode(flow), cookieOptions(ctx, 10 * 60 * 1000, 'lax'));
  const url = new URL(`${options.issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: consoleRedirectUri(options.issuer),
    state: flow.state,
    nonce: flow.nonce,
    code_challenge: b64url(createHash('sha256').update(flow.verifier).digest()),
    code_challenge_method: 'S256',
    ...(options.maxAge === undefined ? {} : { max_age: String(options.maxAge) }),
  }).toString();
  return url.href;
}

export class ConsoleSignInError extends Error {}

/**
 * The callback: state checked against the cookie, the code redeemed at our own token endpoint
 * with the PKCE verifier, and the ID token verified (signature with our published keys, iss,
 * aud, nonce; OIDC Core §3.1.3.7). Answers who signed in and when.
 */
export async function finishSignIn(
  ctx: Context,
  deps: {
    issuer: string;
    verificationKeys: () => { keys: Record<string, unknown>[] };
    fetch?: typeof globalThis.fetch;
  },
): Promise<{ sub: string; authTime: number; returnTo: string }> {
  const flow = decode<Flow>(ctx.cookies.get(FLOW_COOKIE, { signed: true }));
  ctx.cookies.set(FLOW_COOKIE, null, { path: CONSOLE_PATH });
  const { state, code, error } = ctx.query;
  if (typeof error === 'string')
    throw new ConsoleSignInError(`authorization refused: ${error.slice(0, 60)}`);
  if (!flow || typeof state !== 'string' || !equal(state, flow.state) || typeof code !== 'string') {
    throw new ConsoleSignInError('the sign-in did not start here or has expired');
  }
  const res = await (deps.fetch ?? globalThis.fetch)(`${deps.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: consoleRedirectUri(deps.issuer),
      client_id: CONSOLE_CLIENT_ID,
      code_verifier: flow.verifier,
    }),
  });
  const tokens = (await res.json().catch(() => ({}))) as { id_token?: unknown };
  if (!res.ok || typeof tokens.id_token !== 'string') {
    throw new ConsoleSignInError(`the token endpoint answered ${String(res.status)}`);
  }
  const { payload } = await jwtVerify(
    tokens.id_token,
    createLocalJWKSet(deps.verificationKeys() as never),
    { issuer: deps.issuer, audience: CONSOLE_CLIENT_ID },
  ).catch(() => {
    throw new ConsoleSignInError('the ID token did not verify');
  });
  if (payload.nonce !== flow.nonce || typeof payload.sub !== 'string') {
    throw new ConsoleSignInError('the ID token is not for this sign-in');
  }
  // Defence in depth: the client's `mfa: required` makes the server ask for a second factor; the
  // ID token's `acr` (OIDC Core §2) says it was given. A password alone never opens the console.
  if (payload.acr !== ACR_MFA && payload.acr !== ACR_PHISHING_RESISTANT) {
    throw new ConsoleSignInError('the sign-in did not use a second factor');
  }
  const authTime = typeof payload.auth_time === 'number' ? payload.auth_time : 0;
  return { sub: payload.sub, authTime, returnTo: flow.returnTo };
}

export function writeSession(ctx: Context, session: ConsoleSession): void {
  ctx.cookies.set(
    SESSION_COOKIE,
    encode(session),
    cookieOptions(ctx, Math.max(0, session.exp - Date.now()), 'strict'),
  );
}

export function readSession(ctx: Context, now: number): ConsoleSession | undefined {
  const session = decode<ConsoleSession>(ctx.cookies.get(SESSION_COOKIE, { signed: true }));
  if (
    !session ||
    typeof session.sid !== 'string' ||
    typeof session.sub !== 'string' ||
    typeof session.username !== 'string' ||
    typeof session.authTime !== 'number' ||
    typeof session.exp !== 'number' ||
    session.exp <= now
  ) {
    return undefined;
  }
  return session;
}

export function clearSession(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, null, { path: CONSOLE_PATH });
}

export function newSessionId(): string {
  return b64url(randomBytes(16));
}
