import type { Context, Middleware } from 'koa';
import { DpopProofError, type DpopProofChecker } from './dpop-proof.ts';
import { IntrospectionUnavailableError } from './introspection-verifier.ts';
import type { TokenVerifier, VerifiedToken } from './verified-token.ts';

/** Where the middleware leaves the verified token for the handler. */
export const ACCESS_TOKEN_STATE = 'accessToken';

// RFC 6750 §2.1 b64token; one space after the scheme.
const AUTHORIZATION = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * RFC 6750 §3 / RFC 9449 §7.1 answers: 401 with a challenge for each scheme this API accepts,
 * `error` only when credentials were sent; 403 `insufficient_scope` naming the scope needed.
 */
function refuse(
  ctx: Context,
  status: 401 | 403,
  error?: string,
  description?: string,
  scope?: string,
): void {
  const params = [
    `realm="api"`,
    ...(error ? [`error="${error}"`] : []),
    ...(description ? [`error_description="${description.replace(/"/g, "'")}"`] : []),
    ...(scope ? [`scope="${scope}"`] : []),
  ].join(', ');
  ctx.status = status;
  ctx.set('WWW-Authenticate', `Bearer ${params}`);
  ctx.append('WWW-Authenticate', `DPoP ${params}, algs="ES256 EdDSA PS256 RS256"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = {
    error: error ?? 'unauthorized',
    ...(description ? { error_description: description } : {}),
  };
}

/**
 * Protects a route: the request must carry an access token this API accepts (checked with
 * `verify`, by introspection or as a JWT) that grants `scope`. A token bound to a DPoP key must
 * come with the DPoP scheme and a valid proof; presented as a plain Bearer token it is refused
 * (RFC 9449 §7.2), so a stolen DPoP-bound token is useless without the key.
 */
export function requireAccessToken(options: {
  verify: TokenVerifier;
  scope: string;
  /** A role the token's `roles` claim must hold (docs/rbac.md), if any. */
  role?: string | undefined;
  dpop: DpopProofChecker;
  /** This API's public base URL, against which DPoP proofs' `htu` is checked. */
  publicUrl: string;
}): Middleware {
  return async function requireAccessToken(ctx, next) {
    const header = ctx.get('authorization');
    if (!header) return refuse(ctx, 401);
    const match = AUTHORIZATION.exec(header);
    if (!match?.[1] || !match[2])
      return refuse(
        ctx,
        401,
        'invalid_request',
        'use Authorization: Bearer <token> or DPoP <token>',
      );
    const scheme = match[1].toLowerCase();
    const token = match[2];

    let verified: VerifiedToken | undefined;
    try {
      verified = await options.verify(token);
    } catch (err) {
      if (!(err instanceof IntrospectionUnavailableError)) throw err;
      ctx.status = 503;
      ctx.set('Retry-After', '5');
      ctx.body = {
        error: 'temporarily_unavailable',
        error_description: 'the token cannot be checked right now',
      };
      return;
    }
    if (!verified)
      return refuse(ctx, 401, 'invalid_token', 'the access token is not valid for this API');

    if (verified.jkt !== undefined) {
      if (scheme !== 'dpop')
        return refuse(
          ctx,
          401,
          'invalid_token',
          'this token is bound to a DPoP key: present it with the DPoP scheme and a proof',
        );
      const proof = ctx.get('dpop');
      if (!proof) return refuse(ctx, 401, 'invalid_dpop_proof', 'a DPoP proof is required');
      try {
        await options.dpop.check({
          proof,
          method: ctx.method,
          url: new URL(ctx.path, options.publicUrl).href,
          accessToken: token,
          jkt: verified.jkt,
        });
      } catch (err) {
        if (err instanceof DpopProofError)
          return refuse(ctx, 401, 'invalid_dpop_proof', err.message);
        throw err;
      }
    } else if (scheme === 'dpop') {
      return refuse(
        ctx,
        401,
        'invalid_token',
        'this token is not bound to a DPoP key: present it as a Bearer token',
      );
    }

    if (!verified.scopes.has(options.scope))
      return refuse(
        ctx,
        403,
        'insufficient_scope',
        `this endpoint needs the ${options.scope} scope`,
        options.scope,
      );
    // RFC 6750 §3.1 `insufficient_scope`: "the request requires higher privileges than
    // provided by the access token": here a role the user does not hold.
    if (options.role !== undefined && !verified.roles.has(options.role))
      return refuse(ctx, 403, 'insufficient_scope', `this endpoint needs the role ${options.role}`);
    ctx.state[ACCESS_TOKEN_STATE] = verified;
    await next();
  };
}
