import type { Context, Middleware } from 'koa';
import { errors, type Client, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import type { CounterStore } from '../../storage/ports.ts';
import { looksLikeJwt, type JwtAccessTokenVerifier } from '../jwt-access-token-verifier.ts';
import { revokedJtiKey } from '../token-introspector.ts';
import { answerLikeProvider } from './answer-like-provider.ts';

export interface JwtRevocationDeps {
  verifyJwt: JwtAccessTokenVerifier;
  /** Where revoked `jti`s are kept until the token's `exp`; read by the token introspector. */
  counters: Pick<CounterStore, 'hit'>;
  now?: () => number;
}

/**
 * RFC 7009 revocation of our RFC 9068 JWT access tokens, which oidc-provider cannot revoke (they
 * are not stored: it answers `unsupported_token_type`, lib/shared/reject_structured_tokens.js).
 *
 * The provider handles every request first, so client authentication (every method, its events,
 * the client-authentication throttle) and every other token stay exactly its own. Only its
 * `unsupported_token_type` refusal, which it gives *after* authenticating the client, is
 * completed here: when the token verifies as one of ours (src/oidc/jwt-access-token-verifier.ts)
 * and was issued to the caller, its `jti` is recorded as revoked in the shared counter store
 * until the token's `exp` (counters expire by themselves, in every process), and the answer is
 * the provider's: 200 with an empty body. Introspection then answers `{ active: false }`
 * (src/oidc/token-introspector.ts). An API verifying JWTs locally accepts the token until `exp`.
 *
 * RFC 7009 §2.1: a client may revoke only its own tokens; another client's JWT is refused as the
 * provider refuses another client's opaque token (src/oidc/provider-configuration.ts). A
 * JWT-shaped string that does not verify keeps the provider's answer.
 */
export function jwtRevocation(deps: JwtRevocationDeps): Middleware {
  const now = deps.now ?? Date.now;

  async function revoke(
    ctx: Context,
    provider: Provider,
    client: Client,
    token: string,
  ): Promise<void> {
    const claims = await deps.verifyJwt(token, provider.issuer);
    // Not one of ours (or expired): the provider's `unsupported_token_type` answer stands.
    if (!claims || typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return;
    if (claims.client_id !== client.clientId) {
      throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
    }
    const msUntilExp = Math.ceil(claims.exp * 1000 - now());
    // An already expired token needs no record: introspection answers inactive anyway.
    if (msUntilExp > 0) await deps.counters.hit(revokedJtiKey(claims.jti), msUntilExp);
    ctx.status = 200;
    ctx.body = '';
  }

  return async function jwtRevocation(ctx, next) {
    await next();
    const { oidc } = ctx as Partial<KoaContextWithOIDC>;
    if (oidc?.route !== 'revocation') return;
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.status !== 400 || body?.error !== 'unsupported_token_type') return;
    // The provider authenticated the client before it refused the token (lib/actions/revocation.js).
    const client = oidc.client;
    const token = oidc?.params?.token;
    if (!client || typeof token !== 'string' || !looksLikeJwt(token)) return;
    const { provider } = oidc;
    try {
      await revoke(ctx, provider, client, token);
    } catch (err) {
      answerLikeProvider(ctx, provider, err, 'revocation.error');
    }
  };
}
