import type { Client, Provider } from 'oidc-provider';
import type {
  ResourceServerDirectory,
  ResourceServerSnapshot,
} from '../resources/resource-server-directory.ts';
import type { CounterStore } from '../storage/ports.ts';
import type { GrantReferenceCodec } from './grant-reference.ts';
import { isResourceServerClient, mayIntrospect } from './introspection-policy.ts';
import type { JwtAccessTokenVerifier } from './jwt-access-token-verifier.ts';
import { looksLikeJwt } from './jwt-access-token-verifier.ts';
import { GRANT_REFERENCE_CLAIM } from './resource-indicators.ts';

/** An RFC 7662 §2.2 introspection response. */
export type IntrospectionResponse = { active: boolean } & Record<string, unknown>;

export type TokenIntrospector = (
  provider: Provider,
  client: Client,
  token: string,
) => Promise<IntrospectionResponse>;

export interface TokenIntrospectorDeps {
  directory: ResourceServerDirectory;
  grantReferences: GrantReferenceCodec | undefined;
  verifyJwt: JwtAccessTokenVerifier;
  /** Revoked JWT access tokens, by `jti` (src/http/jwt-revocation-endpoint.ts). */
  revoked: Pick<CounterStore, 'get'>;
}

/**
 * The counter that marks a JWT access token's `jti` as revoked (RFC 7009 for tokens that are not
 * stored): set until the token's `exp`, when it expires by itself in every process.
 */
export function revokedJtiKey(jti: string): string {
  return `jwt-revoked:${jti}`;
}

/** The fields of an opaque token model read here (oidc-provider's AccessToken/ClientCredentials). */
interface StoredToken {
  kind: string;
  isValid: boolean;
  clientId: string;
  accountId?: string;
  grantId?: string;
  aud?: unknown;
  scope?: string;
  sid?: string;
  exp?: number;
  iat?: number;
  jkt?: string;
  'x5t#S256'?: string;
  extra?: Record<string, unknown>;
  tokenType: string;
}

// RFC 7662 §2.2: every token the caller may not see, unknown, expired or revoked answers the same,
// so a caller cannot probe which tokens exist.
const inactive = (): IntrospectionResponse => ({ active: false });

/**
 * Introspection of the access tokens of this server for an authenticated caller: opaque tokens
 * from the store (oidc-provider's own models, so validity is judged exactly as the provider
 * judges it) and RFC 9068 JWT access tokens, which oidc-provider cannot introspect (they are not
 * stored): their signature is verified with our own keys and their *live* status is checked —
 * inactive once their grant is gone (refresh token or grant revoked, reuse detected, logout,
 * sessions revoked by an admin), their client was deleted or the token itself was revoked.
 *
 * The answer has the fields of oidc-provider's own introspection (active, sub, client_id, exp,
 * iat, iss, aud, scope, token_type and, for sender-constrained tokens, cnf: RFC 9449 §6.2).
 */
export function createTokenIntrospector(deps: TokenIntrospectorDeps): TokenIntrospector {
  async function clientExists(
    provider: Provider,
    caller: Client,
    clientId: string,
  ): Promise<boolean> {
    if (clientId === caller.clientId) return true;
    return (await provider.Client.find(clientId)) !== undefined;
  }

  /** The grant behind a token still exists, unexpired, for the same client and user. */
  async function grantIsLive(
    provider: Provider,
    grantId: string,
    clientId: string,
    accountId: string | undefined,
  ) {
    const grant = await provider.Grant.find(grantId, { ignoreExpiration: true });
    if (!grant || grant.isExpired) return false;
    return grant.clientId === clientId && grant.accountId === accountId;
  }

  async function introspectOpaque(
    provider: Provider,
    caller: Client,
    snapshot: ResourceServerSnapshot,
    value: string,
  ): Promise<IntrospectionResponse> {
    // Refresh tokens are never shown to an API (introspection-policy.ts), so they are not looked up.
    const [accessToken, clientCredentials] = await Promise.all([
      provider.AccessToken.find(value),
      provider.ClientCredentials.find(value),
    ]);
    const token = (accessToken ?? clientCredentials) as unknown as StoredToken | undefined;
    if (!token?.isValid) return inactive();
    if (!mayIntrospect(snapshot, caller, { kind: token.kind, aud: token.aud })) return inactive();
    if (
      token.grantId &&
      !(await grantIsLive(provider, token.grantId, token.clientId, token.accountId))
    )
      return inactive();
    // No client lookup here: a stored token is deleted with its client by every way a client is
    // deleted (client-service.ts, the RFC 7592 hook in src/admin/registration-hooks.ts), so a
    // token found is a live client's. JWTs are not stored, hence their explicit check below.

    const cnf =
      token.jkt || token['x5t#S256']
        ? {
            ...(token['x5t#S256'] ? { 'x5t#S256': token['x5t#S256'] } : {}),
            ...(token.jkt ? { jkt: token.jkt } : {}),
          }
        : undefined;
    return {
      ...token.extra,
      active: true,
      sub: token.accountId,
      client_id: token.clientId,
      exp: token.exp,
      iat: token.iat,
      sid: token.sid,
      iss: provider.issuer,
      aud: token.aud,
      scope: token.scope || undefined,
      cnf,
      token_type: token.tokenType,
    };
  }

  async function introspectJwt(
    provider: Provider,
    caller: Client,
    snapshot: ResourceServerSnapshot,
    value: string,
  ): Promise<IntrospectionResponse> {
    const claims = await deps.verifyJwt(value, provider.issuer);
    if (!claims) return inactive();
    if (!mayIntrospect(snapshot, caller, { kind: 'AccessToken', aud: claims.aud }))
      return inactive();
    // RFC 7009 §2.2: a revoked token is inactive at once, though it still verifies until `exp`.
    if (
      typeof claims.jti !== 'string' ||
      (await deps.revoked.get(revokedJtiKey(claims.jti))) !== undefined
    )
      return inactive();

    const reference = claims[GRANT_REFERENCE_CLAIM];
    if (typeof reference === 'string') {
      const grantId = deps.grantReferences?.open(reference);
      if (grantId === undefined) return inactive();
      if (!(await grantIsLive(provider, grantId, claims.client_id, claims.sub))) return inactive();
    } else if (claims.sub !== claims.client_id) {
      // A user's token (client-credentials tokens have sub = client_id and no grant) without a
      // grant reference cannot be checked for revocation: fail closed.
      return inactive();
    }
    if (!(await clientExists(provider, caller, claims.client_id))) return inactive();

    const cnf = claims.cnf && typeof claims.cnf === 'object' ? claims.cnf : undefined;
    return {
      active: true,
      sub: claims.sub,
      client_id: claims.client_id,
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      jti: claims.jti,
      aud: claims.aud,
      scope: typeof claims.scope === 'string' && claims.scope !== '' ? claims.scope : undefined,
      cnf,
      // RFC 9449 §6.2: a DPoP-bound token is of type DPoP.
      token_type: cnf?.jkt ? 'DPoP' : 'Bearer',
      // Issue 16: the roles and groups the JWT carries (as issued), like an opaque token's.
      ...(Array.isArray(claims.roles) ? { roles: claims.roles as unknown[] } : {}),
      ...(Array.isArray(claims.groups) ? { groups: claims.groups as unknown[] } : {}),
    };
  }

  return async function introspect(provider, caller, value) {
    // Callers that are not resource servers learn nothing, and cost no lookup.
    if (!isResourceServerClient(caller)) return inactive();
    const snapshot = await deps.directory.current();
    return looksLikeJwt(value)
      ? introspectJwt(provider, caller, snapshot, value)
      : introspectOpaque(provider, caller, snapshot, value);
  };
}
