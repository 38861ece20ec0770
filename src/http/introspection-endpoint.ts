import type { Context, Middleware } from 'koa';
import { errors, type Client, type Provider } from 'oidc-provider';
import { TemporarilyUnavailableError } from '../oidc/temporarily-unavailable-error.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import { looksLikeJwt } from '../oidc/jwt-access-token-verifier.ts';
import type { IntrospectionResponse, TokenIntrospector } from '../oidc/token-introspector.ts';
import { StoreUnavailableError } from '../storage/ports.ts';
import { peekFormBody } from './peek-form-body.ts';

/**
 * The introspection endpoint (RFC 7662), answered here for the common case and by oidc-provider
 * for the rest, with one policy and one introspection (src/oidc/token-introspector.ts):
 *
 * - **Here**, requests authenticated with a client secret (HTTP Basic, RFC 6749 §2.3.1, or
 *   `client_secret_post`): this is the hot path of every API call, so it skips the provider's
 *   generic request pipeline. Client authentication is still the provider's own: its
 *   `Client.find` (which reads the store, so a deleted or changed client counts at once) and the
 *   client's `compareClientSecret`/`checkClientSecretExpiration`; only the parsing of the
 *   credentials is repeated, with the provider's error messages.
 * - **By the provider**, everything else (`private_key_jwt`, attestation, DPoP or CORS requests,
 *   bodies not peekable): opaque tokens through its route and `introspection.allowedPolicy`; for
 *   JWT access tokens, which it refuses with `unsupported_token_type` *after* authenticating the
 *   client, that refusal is replaced here by the live answer.
 * - A request with no client authentication at all is refused with 401 `invalid_client`
 *   (RFC 6749 §5.2: "no client authentication included"; the provider would say 400).
 *
 * JWT-secured responses (RFC 9701) are signed with the provider's own `IdToken` machinery, as
 * its route does. Errors keep the provider's OAuth shape, events (`introspection.error`,
 * `server_error`) and, for logs and metrics, its route name.
 */

export interface IntrospectionEndpointDeps {
  providers: ProviderHolder;
  introspect: TokenIntrospector;
  /** oidc-provider's default route. */
  path?: string;
}

const DEFAULT_PATH = '/token/introspection';
/** The provider's own limit on request bodies (lib/shared/selective_body.js). */
const BODY_LIMIT = 56 * 1024;
const JWT_RESPONSE = 'application/token-introspection+jwt';
const SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post']);
const CLIENT_AUTH_PARAMS = ['client_id', 'client_secret', 'client_assertion', 'client_assertion_type'] as const;
// RFC 6749 Appendix A: client_id and client_secret are VSCHAR (%x20-7E).
const NOT_VSCHAR = /[^\x20-\x7E]/;

/** Same test as oidc-provider's (lib/shared/client_auth.js): strict base64, correct padding. */
function isValidBase64(input: string): boolean {
  const match = /^([A-Za-z0-9+/]*)(={0,2})$/.exec(input);
  if (!match?.[1]) return false;
  const remainder = match[1].length % 4;
  if (!match[2]) return remainder !== 1;
  return (match[1].length + match[2].length) % 4 === 0 && match[2].length === 4 - remainder;
}

/** RFC 6749 §2.3.1: the Basic credentials are form-urlencoded before base64. */
function decodeCredential(value: string): string {
  const decoded = decodeURIComponent(value.replace(/\+/g, '%20'));
  if (NOT_VSCHAR.test(decoded)) throw new Error('invalid character found');
  return decoded;
}

/** A single form value: `undefined` when absent or empty (as oidc-provider reads parameters). */
function single(form: URLSearchParams, name: string): string | undefined {
  return form.get(name) || undefined;
}

function rejectDupes(form: URLSearchParams, names: readonly string[]): void {
  const repeated = names.filter((name) => form.getAll(name).length > 1);
  if (repeated.length > 0) {
    throw new errors.InvalidRequest(`${repeated.join(', ')} parameter${repeated.length > 1 ? 's' : ''} must not be provided twice`);
  }
}

/** The client id and secret of a request authenticated with a secret, checked as the provider does. */
function secretCredentials(ctx: Context, form: URLSearchParams): { clientId: string; secret: string } {
  const authorization = ctx.get('authorization');
  const postSecret = single(form, 'client_secret');
  const bodyClientId = single(form, 'client_id');
  if ([authorization, single(form, 'client_assertion'), postSecret].filter(Boolean).length > 1) {
    throw new errors.InvalidRequest('client authentication must only be provided using one mechanism');
  }
  if (postSecret !== undefined) {
    if (bodyClientId === undefined) throw new errors.InvalidRequest('no client authentication mechanism provided');
    return { clientId: bodyClientId, secret: postSecret };
  }
  const parts = authorization.split(' ');
  if (parts.length !== 2 || parts[0]?.toLowerCase() !== 'basic' || !isValidBase64(parts[1] ?? '')) {
    throw new errors.InvalidRequest('invalid authorization header value format');
  }
  const basic = Buffer.from(parts[1] ?? '', 'base64').toString('utf8');
  const colon = basic.indexOf(':');
  if (colon === -1) throw new errors.InvalidRequest('invalid authorization header value format');
  let clientId: string;
  let secret: string;
  try {
    clientId = decodeCredential(basic.slice(0, colon));
    secret = decodeCredential(basic.slice(colon + 1));
  } catch {
    throw new errors.InvalidRequest('client_id and client_secret in the authorization header are not properly encoded');
  }
  if (bodyClientId !== undefined && bodyClientId !== clientId) throw new errors.InvalidRequest('client_id mismatch');
  if (!secret) throw new errors.InvalidRequest('client_secret must be provided in the Authorization header');
  return { clientId, secret };
}

/** oidc-provider's client authentication for secret methods (lib/shared/client_auth.js). */
async function authenticate(provider: Provider, clientId: string, secret: string): Promise<Client> {
  if (!clientId) throw new errors.InvalidRequest('no client authentication mechanism provided');
  const client = await provider.Client.find(clientId);
  if (!client) throw new errors.InvalidClientAuth('client not found');
  if (!SECRET_METHODS.has(client.clientAuthMethod ?? '')) {
    throw new errors.InvalidClientAuth('the provided authentication mechanism does not match the registered client authentication method');
  }
  // Not in @types/oidc-provider, but a method of every oidc-provider 9 Client (lib/models/client.js).
  (client as unknown as { checkClientSecretExpiration(message: string): void }).checkClientSecretExpiration(
    'could not authenticate the client - its client secret is expired',
  );
  if (!(await client.compareClientSecret(secret))) throw new errors.InvalidClientAuth('invalid secret provided');
  return client;
}

/** RFC 7235 §3.1 / RFC 6749 §5.2: a 401 names the scheme the client should use. */
function challenge(ctx: Context, issuer: string, fields: Record<string, string | undefined> = {}): void {
  const params = Object.entries({ realm: issuer, ...fields })
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(', ');
  ctx.append('WWW-Authenticate', `Basic ${params}`);
}

interface ExposedError {
  expose?: unknown;
  statusCode?: unknown;
  message: string;
  error_description?: unknown;
}

/** The provider's error answer (lib/shared/error_handler.js, lib/helpers/err_out.js). */
function answerError(ctx: Context, provider: Provider, thrown: unknown): void {
  const err = (thrown instanceof StoreUnavailableError && !(thrown instanceof TemporarilyUnavailableError)
    ? new TemporarilyUnavailableError(thrown)
    : thrown) as ExposedError;
  ctx.set('Cache-Control', 'no-store');
  if (err.expose === true) {
    ctx.status = typeof err.statusCode === 'number' ? err.statusCode : 400;
    const description = typeof err.error_description === 'string' ? err.error_description : undefined;
    ctx.body = { error: err.message, ...(description === undefined ? {} : { error_description: description }) };
    if (ctx.status === 401 && ctx.get('authorization')) {
      challenge(ctx, provider.issuer, { error: err.message, error_description: description });
    }
    provider.emit('introspection.error', ctx, thrown);
  } else {
    ctx.status = 500;
    ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
    provider.emit('server_error', ctx, thrown);
  }
}

/** Sets the answer: JSON, or an RFC 9701 signed JWT when the client asked for one. */
async function respond(ctx: Context, provider: Provider, client: Client, answer: IntrospectionResponse): Promise<void> {
  const accepts = ctx.accepts('json', JWT_RESPONSE);
  const meta = client as unknown as { introspectionSignedResponseAlg?: string; introspectionEncryptedResponseAlg?: string };
  if (meta.introspectionEncryptedResponseAlg && accepts !== JWT_RESPONSE) {
    throw new errors.InvalidRequest(`introspection must be requested with Accept: ${JWT_RESPONSE} for this client`);
  }
  ctx.status = 200;
  ctx.set('Cache-Control', 'no-store');
  if (accepts === JWT_RESPONSE && (meta.introspectionSignedResponseAlg || meta.introspectionEncryptedResponseAlg)) {
    // RFC 9701 §5: iss, aud (the caller), iat and the response in `token_introspection`.
    const token = new provider.IdToken({}, { client });
    token.set('token_introspection', answer);
    token.set('aud', answer.aud);
    ctx.body = await token.issue({ use: 'introspection' });
    ctx.type = `${JWT_RESPONSE}; charset=utf-8`;
  } else {
    ctx.body = answer;
  }
}

export function introspectionEndpoint(deps: IntrospectionEndpointDeps): Middleware {
  const path = deps.path ?? DEFAULT_PATH;

  /** Answers a request authenticated with a client secret, without the provider's route. */
  async function answerDirectly(ctx: Context, provider: Provider, form: URLSearchParams): Promise<void> {
    // What the provider's router records, so logs and metrics name this route the same way.
    Object.assign(ctx, { _matchedRoute: path, _matchedRouteName: 'introspection' });
    try {
      rejectDupes(form, CLIENT_AUTH_PARAMS);
      const { clientId, secret } = secretCredentials(ctx, form);
      const client = await authenticate(provider, clientId, secret);
      rejectDupes(form, ['token', 'token_type_hint']);
      const token = single(form, 'token');
      if (token === undefined) throw new errors.InvalidRequest("missing required parameter 'token'");
      await respond(ctx, provider, client, await deps.introspect(provider, client, token));
    } catch (err) {
      answerError(ctx, provider, err);
    }
  }

  /** After the provider: a JWT access token it refused gets its live answer instead. */
  async function completeProviderAnswer(ctx: Context, provider: Provider): Promise<void> {
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.status !== 400 || body?.error !== 'unsupported_token_type') return;
    // The provider authenticated the client before it refused the token (lib/actions/introspection.js).
    const oidc = (ctx as unknown as { oidc?: { client?: Client; params?: { token?: unknown } } }).oidc;
    const client = oidc?.client;
    const token = oidc?.params?.token;
    if (!client || typeof token !== 'string' || !looksLikeJwt(token)) return;
    try {
      await respond(ctx, provider, client, await deps.introspect(provider, client, token));
    } catch (err) {
      answerError(ctx, provider, err);
    }
  }

  return async function introspectionEndpoint(ctx, next) {
    if (ctx.method !== 'POST' || ctx.path !== path) return next();
    const provider = deps.providers.current;
    // Read without consuming: when the provider answers, it reads the body as if nobody had.
    const form = await peekFormBody(ctx.req, BODY_LIMIT);
    if (form !== undefined) {
      const authorization = ctx.get('authorization');
      const attestation = ctx.get('oauth-client-attestation') || ctx.get('oauth-client-attestation-pop');
      const given = (name: string) => single(form, name) !== undefined;
      if (!authorization && !attestation && !CLIENT_AUTH_PARAMS.some(given)) {
        Object.assign(ctx, { _matchedRoute: path, _matchedRouteName: 'introspection' });
        answerError(ctx, provider, new errors.InvalidClientAuth('no client authentication mechanism provided'));
        challenge(ctx, provider.issuer);
        return;
      }
      const direct =
        (authorization !== '' || given('client_secret')) &&
        !given('client_assertion') &&
        !attestation &&
        !ctx.get('dpop') &&
        // Browsers' requests need the provider's client-based CORS answers.
        !ctx.get('origin');
      if (direct) return answerDirectly(ctx, provider, form);
    }
    await next();
    await completeProviderAnswer(ctx, provider);
  };
}
