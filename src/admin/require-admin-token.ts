import type { Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import { AppError } from '../errors/app-error.ts';
import { ADMIN_SCOPE, ADMIN_SUB_SCOPES, type AdminSubScope } from '../oidc/scopes.ts';

/**
 * Authentication of the admin API by OAuth, not by a shared password: a bearer access token
 * (RFC 6750 §2.1, header only) that this server issued with the client credentials grant to a
 * client holding the `admin` scope. The token is looked up in the provider's store, so it is
 * checked exactly as the provider would (unknown, expired or revoked: 401 `invalid_token`), and
 * its client is looked up now: a deleted client's tokens stop working at once (401), and a
 * token without `admin` (or an `admin:*` scope), or whose client no longer holds it, gets 403
 * `insufficient_scope`; so does one whose scopes do not cover the operation (admin-router.ts).
 */

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,512}=*) *$/i;

/** `ctx.state.adminClientId`: the admin client the request acts as (for the audit log). */
export const ADMIN_CLIENT_STATE = 'adminClientId';

/** `ctx.state.adminScopes`: the admin scopes the token holds (a `ReadonlySet<AdminSubScope>`),
 *  checked per operation by the router against the route table's `scope`. */
export const ADMIN_SCOPES_STATE = 'adminScopes';

/**
 * The admin scopes a token holds: those both in the token and still registered for its client
 * (an admin who takes a scope away takes the access away), `admin` standing for all of them.
 */
export function grantedAdminScopes(
  tokenScopes: ReadonlySet<string>,
  clientScope: string | undefined,
): Set<AdminSubScope> {
  const registered = new Set((clientScope ?? '').split(' '));
  const held = (scope: string) => tokenScopes.has(scope) && registered.has(scope);
  if (held(ADMIN_SCOPE)) return new Set(ADMIN_SUB_SCOPES);
  return new Set(ADMIN_SUB_SCOPES.filter(held));
}

/** Where the request's actor is kept for security events recorded below the HTTP layer. */
export interface RequestContextHolder {
  current(): { actor?: string | undefined } | undefined;
}

export function requireAdminToken(deps: {
  provider: () => Provider;
  requestContext?: RequestContextHolder | undefined;
}): Middleware {
  return async function requireAdminToken(ctx, next) {
    const header = ctx.get('authorization');
    if (header === '') throw new AppError('authentication_required');
    const value = BEARER.exec(header)?.[1];
    if (value === undefined)
      throw new AppError('invalid_token', { authorization: 'must be "Bearer <access token>"' });

    const provider = deps.provider();
    // Client credentials tokens are the provider's `ClientCredentials` model; `find` answers
    // nothing for unknown, expired and revoked tokens alike.
    const token = await provider.ClientCredentials.find(value);
    // `find` allows the provider's clock tolerance (15 s) past expiry; the admin API allows none.
    if (!token || token.isExpired) throw new AppError('invalid_token');
    // A sender-constrained token (DPoP, mTLS) would need its proof checked: not offered here.
    const bound = token as unknown as { jkt?: unknown; 'x5t#S256'?: unknown };
    if (bound.jkt !== undefined || bound['x5t#S256'] !== undefined)
      throw new AppError('invalid_token');
    const client =
      token.clientId === undefined ? undefined : await provider.Client.find(token.clientId);
    if (!client) throw new AppError('invalid_token');
    // The client must still hold the scope: an admin who takes it away takes the access away.
    // No admin scope at all is refused here; each operation checks its own (admin-router.ts).
    const scopes = grantedAdminScopes(token.scopes, client.scope);
    if (scopes.size === 0) throw new AppError('insufficient_scope');

    ctx.state[ADMIN_CLIENT_STATE] = client.clientId;
    ctx.state[ADMIN_SCOPES_STATE] = scopes;
    const context = deps.requestContext?.current();
    if (context) context.actor = client.clientId;
    await next();
  };
}
