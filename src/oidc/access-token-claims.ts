import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { clientMetadata, roleClaims, type AccessReader } from '../rbac/role-claims.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';

type ExtraTokenClaims = NonNullable<Configuration['extraTokenClaims']>;

interface TokenLike {
  kind?: unknown;
  accountId?: unknown;
  grantId?: unknown;
  clientId?: unknown;
}

/**
 * `extraTokenClaims` (issue 16): the `roles` and `groups` (RFC 9068 §2.2.3.1 authorization
 * claims) of the user an access token is for,
 * filtered for its client, when the user's grant holds the `roles`/`groups` scope (an API's
 * token carries only the API's scopes, so the grant's OpenID scopes decide). The engine puts the
 * result in RFC 9068 JWTs and keeps it with opaque tokens for RFC 7662 introspection.
 * Client-credentials tokens have no user and get nothing.
 */
export function accessTokenRoleClaims(access: AccessReader): ExtraTokenClaims {
  return async function roleClaimsOfToken(ctx: KoaContextWithOIDC, token: unknown) {
    const t = token as TokenLike;
    if (t.kind !== 'AccessToken' || typeof t.accountId !== 'string') return undefined;
    if (typeof t.grantId !== 'string') return undefined;
    const provider = ctx.oidc.provider;
    const known = ctx.oidc.entities.Grant as { jti?: unknown } | undefined;
    const grant =
      known?.jti === t.grantId ? ctx.oidc.entities.Grant : await provider.Grant.find(t.grantId);
    if (!grant) return undefined;
    const scopes = new Set((grant.getOIDCScope() ?? '').split(' '));
    const accountId = t.accountId;
    const client =
      ctx.oidc.client?.clientId === t.clientId
        ? ctx.oidc.client
        : typeof t.clientId === 'string'
          ? await provider.Client.find(t.clientId)
          : undefined;
    const claims = await answerOutageAsOAuth(() =>
      roleClaims(access, accountId, clientMetadata(client), scopes),
    );
    return Object.keys(claims).length > 0 ? claims : undefined;
  } as ExtraTokenClaims;
}
