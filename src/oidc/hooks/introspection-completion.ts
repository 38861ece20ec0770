import type { Context, Middleware } from 'koa';
import { errors, type Client, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { looksLikeJwt } from '../jwt-access-token-verifier.ts';
import type { IntrospectionResponse, TokenIntrospector } from '../token-introspector.ts';
import { answerLikeProvider, basicChallenge } from './answer-like-provider.ts';

const JWT_RESPONSE = 'application/token-introspection+jwt';

/** Sets the answer: JSON, or an RFC 9701 signed JWT when the client asked for one. */
async function respond(
  ctx: Context,
  provider: Provider,
  client: Client,
  answer: IntrospectionResponse,
): Promise<void> {
  const accepts = ctx.accepts('json', JWT_RESPONSE);
  const meta = client as Client & {
    introspectionSignedResponseAlg?: string;
    introspectionEncryptedResponseAlg?: string;
  };
  if (meta.introspectionEncryptedResponseAlg && accepts !== JWT_RESPONSE) {
    throw new errors.InvalidRequest(
      `introspection must be requested with Accept: ${JWT_RESPONSE} for this client`,
    );
  }
  ctx.status = 200;
  ctx.set('Cache-Control', 'no-store');
  if (
    accepts === JWT_RESPONSE &&
    (meta.introspectionSignedResponseAlg || meta.introspectionEncryptedResponseAlg)
  ) {
    // RFC 9701 §5: iss, aud (the caller), iat and the response in `token_introspection`, signed
    // with the provider's own IdToken machinery, as its route does.
    const token = new provider.IdToken({}, { client });
    token.set('token_introspection', answer);
    token.set('aud', answer.aud);
    ctx.body = await token.issue({ use: 'introspection' });
    ctx.type = `${JWT_RESPONSE}; charset=utf-8`;
  } else {
    ctx.body = answer;
  }
}

function isError(ctx: Context, status: number, error: string, description?: string): boolean {
  const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
  return (
    ctx.status === status &&
    body?.error === error &&
    (description === undefined || body.error_description === description)
  );
}

/**
 * The introspection endpoint (RFC 7662) is the provider's own — its client authentication, its
 * `introspection.allowedPolicy` (only an API's linked clients, only that API's tokens:
 * src/oidc/introspection-policy.ts), its answer for opaque tokens. This hook, keyed on the route,
 * completes two of its answers after it ran:
 *
 * - RFC 9068 JWT access tokens, which it cannot introspect (they are not stored) and refuses with
 *   `unsupported_token_type` *after* authenticating the client (lib/actions/introspection.js):
 *   they get their live answer instead (src/oidc/token-introspector.ts);
 * - a request with no client authentication at all, which it answers 400 `invalid_request`, gets
 *   401 `invalid_client` with a `Basic` challenge (RFC 6749 §5.2: "no client authentication
 *   included" is `invalid_client`; RFC 7662 §2.1 requires the caller to authenticate).
 */
export function introspectionCompletion(deps: { introspect: TokenIntrospector }): Middleware {
  return async function introspectionCompletion(ctx, next) {
    await next();
    const { oidc } = ctx as Partial<KoaContextWithOIDC>;
    if (oidc?.route !== 'introspection') return;
    const { provider } = oidc;
    if (isError(ctx, 400, 'invalid_request', 'no client authentication mechanism provided')) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: 'client authentication failed' };
      basicChallenge(ctx, provider.issuer);
      return;
    }
    if (!isError(ctx, 400, 'unsupported_token_type')) return;
    const client = oidc.client;
    const token = oidc.params?.token;
    if (!client || typeof token !== 'string' || !looksLikeJwt(token)) return;
    try {
      await respond(ctx, provider, client, await deps.introspect(provider, client, token));
    } catch (err) {
      answerLikeProvider(ctx, provider, err, 'introspection.error');
    }
  };
}
