import type { Context, Middleware } from 'koa';
import { errors, type Client, type Provider } from 'oidc-provider';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import { TemporarilyUnavailableError } from '../oidc/temporarily-unavailable-error.ts';
import { looksLikeJwt, type JwtAccessTokenVerifier } from '../oidc/jwt-access-token-verifier.ts';
import { revokedJtiKey } from '../oidc/token-introspector.ts';
import { StoreUnavailableError, type CounterStore } from '../storage/ports.ts';

export interface JwtRevocationEndpointDeps {
  providers: ProviderHolder;
  verifyJwt: JwtAccessTokenVerifier;
  /** Where revoked `jti`s are kept until the token's `exp`; read by the token introspector. */
  counters: Pick<CounterStore, 'hit'>;
  /** oidc-provider's default route. */
  path?: string;
  now?: () => number;
}

const DEFAULT_PATH = '/token/revocation';

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
export function jwtRevocationEndpoint(deps: JwtRevocationEndpointDeps): Middleware {
  const path = deps.path ?? DEFAULT_PATH;
  const now = deps.now ?? Date.now;

  function refuse(ctx: Context, provider: Provider, thrown: unknown): void {
    const err = (thrown instanceof StoreUnavailableError && !(thrown instanceof TemporarilyUnavailableError)
      ? new TemporarilyUnavailableError(thrown)
      : thrown) as { expose?: unknown; statusCode?: unknown; message: string; error_description?: unknown };
    ctx.set('Cache-Control', 'no-store');
    if (err.expose === true) {
      ctx.status = typeof err.statusCode === 'number' ? err.statusCode : 400;
      ctx.body = {
        error: err.message,
        ...(typeof err.error_description === 'string' ? { error_description: err.error_description } : {}),
      };
      provider.emit('revocation.error', ctx, thrown);
    } else {
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
      provider.emit('server_error', ctx, thrown);
    }
  }

  async function revoke(ctx: Context, provider: Provider, client: Client, token: string): Promise<void> {
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

  return async function jwtRevocationEndpoint(ctx, next) {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== path) return;
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.status !== 400 || body?.error !== 'unsupported_token_type') return;
    // The provider authenticated the client before it refused the token (lib/actions/revocation.js).
    const oidc = (ctx as unknown as { oidc?: { client?: Client; params?: { token?: unknown } } }).oidc;
    const client = oidc?.client;
    const token = oidc?.params?.token;
    if (!client || typeof token !== 'string' || !looksLikeJwt(token)) return;
    const provider = deps.providers.current;
    try {
      await revoke(ctx, provider, client, token);
    } catch (err) {
      refuse(ctx, provider, err);
    }
  };
}
