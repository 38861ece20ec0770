import {
  errors,
  type Configuration,
  type KoaContextWithOIDC,
  type ResourceServer,
} from 'oidc-provider';
import type { ResourceServerDirectory } from '../resources/resource-server-directory.ts';
import { DEFAULT_JWT_ACCESS_TOKEN_TTL_SECONDS } from '../resources/resource-server-defaults.ts';
import type { ResourceServerRecord } from '../storage/ports.ts';
import type { GrantReferenceCodec } from './grant-reference.ts';
import type { AccessReader } from '../rbac/role-claims.ts';
import { PROVIDER_SCOPES } from './scopes.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';

type Features = NonNullable<Configuration['features']>;
type JwtCustomizer = NonNullable<
  NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']
>;

/** The JWT access-token claim carrying the sealed grant reference (grant-reference.ts). */
export const GRANT_REFERENCE_CLAIM = 'gid';

/** Whether the request is a client-credentials token request (no user, so no consent). */
function isClientCredentialsRequest(ctx: KoaContextWithOIDC): boolean {
  return ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials';
}

/**
 * What oidc-provider needs to know about an API for one request (its `ResourceServer`):
 * - `audience`: the identifier itself, so the token's `aud` names this API only (RFC 8707 §2);
 * - `scope`: the scopes that may be granted. oidc-provider grants only those requested and in this
 *   list, and never checks a client's own `scope` against an API's scopes. In user-facing flows
 *   that is every scope of the API (the user consents to each); with client credentials no user
 *   consents, so only the scopes an admin granted that client (`clientCredentialsGrants`), and a
 *   client with no grant gets no token for the API at all;
 * - RFC 9068 JWTs signed with the API's algorithm (`typ: at+jwt`), short-lived by default.
 */
export function resourceServerInfo(
  api: ResourceServerRecord,
  clientCredentialsOf: string | undefined,
  userRoles?: readonly string[],
): ResourceServer {
  const defined = api.scopes.map((s) => s.name);
  let scope = defined.join(' ');
  // Issue 16: an API whose scopes are granted to roles gives a user only the scopes one of their
  // roles allows, whatever the app asked for (the consent page then lists only those).
  if (clientCredentialsOf === undefined && userRoles !== undefined) {
    const allowed = allowedByRoles(api, userRoles);
    if (allowed) scope = defined.filter((name) => allowed.has(name)).join(' ');
  }
  if (clientCredentialsOf !== undefined) {
    const grant = api.clientCredentialsGrants.find((g) => g.clientId === clientCredentialsOf);
    if (!grant)
      throw new errors.InvalidTarget(
        'this client may not get tokens for this API with client credentials',
      );
    scope = grant.scopes.filter((name) => defined.includes(name)).join(' ');
  }
  const ttl =
    api.accessTokenTtlSeconds ??
    (api.tokenFormat === 'jwt' ? DEFAULT_JWT_ACCESS_TOKEN_TTL_SECONDS : undefined);
  return {
    scope,
    audience: api.identifier,
    accessTokenFormat: api.tokenFormat,
    ...(ttl === undefined ? {} : { accessTokenTTL: ttl }),
    ...(api.tokenFormat === 'jwt' ? { jwt: { sign: { alg: api.signingAlg } } } : {}),
  } as ResourceServer;
}

/**
 * The API scopes `roles` allow (issue 16), or `undefined` when the API grants no scope to any
 * role (then every user may be granted every scope, as before roles existed).
 */
export function allowedByRoles(
  api: Pick<ResourceServerRecord, 'roleScopes'>,
  roles: readonly string[],
): Set<string> | undefined {
  const rules = api.roleScopes ?? [];
  if (rules.length === 0) return undefined;
  const held = new Set(roles);
  return new Set(rules.filter((r) => held.has(r.role)).flatMap((r) => r.scopes));
}

interface AccountHolder {
  accountId?: unknown;
}

/**
 * The user a user-facing request acts for: the signed-in session at the authorization endpoint,
 * the code, refresh token or device code being redeemed at the token endpoint. `undefined`
 * before sign-in (the scopes are decided again once the user is known).
 */
function accountIdOf(ctx: KoaContextWithOIDC): string | undefined {
  const entities = ctx.oidc.entities as Record<string, AccountHolder | undefined>;
  const candidates: (AccountHolder | undefined)[] = [
    entities.Account,
    entities.AuthorizationCode,
    entities.RefreshToken,
    entities.DeviceCode,
    entities.BackchannelAuthenticationRequest,
    ctx.oidc.session as AccountHolder | undefined,
  ];
  for (const candidate of candidates) {
    if (typeof candidate?.accountId === 'string') return candidate.accountId;
  }
  return undefined;
}

/**
 * A client-credentials request that names API scopes but no `resource` would get a token with no
 * scope at all (the engine keeps only OpenID scopes without a resource, and a machine token has
 * none): a silent drop that leaves the client wondering. RFC 6749 §5.2 `invalid_scope` instead,
 * naming the API and the `resource` value to send (RFC 8707 §2).
 */
async function refuseApiScopesWithoutResource(
  ctx: KoaContextWithOIDC,
  directory: ResourceServerDirectory | undefined,
): Promise<void> {
  const requested =
    typeof ctx.oidc.params?.scope === 'string'
      ? ctx.oidc.params.scope.split(' ').filter(Boolean)
      : [];
  const apiScopes = requested.filter((scope) => !PROVIDER_SCOPES.has(scope));
  if (apiScopes.length === 0) return;
  const snapshot = directory ? await answerOutageAsOAuth(() => directory.current()) : undefined;
  for (const scope of apiScopes) {
    const apis = snapshot?.definingScope(scope) ?? [];
    const first = apis[0];
    if (!first)
      throw new errors.InvalidScope(
        `scope ${scope} is not defined by this server or any registered API`,
        scope,
      );
    const where = apis.map((api) => `resource=${api.identifier} (${api.name})`).join(' or ');
    throw new errors.InvalidScope(
      `scope ${scope} belongs to an API: ask for it with ${where}`,
      scope,
    );
  }
}

/**
 * `features.resourceIndicators` (RFC 8707) over the registered APIs. Only registered identifiers
 * are accepted (`invalid_target` otherwise); the directory is read afresh per request, so an API
 * added, changed or removed takes effect at once (resource-server-directory.ts).
 */
export function resourceIndicatorsFeature(
  directory: ResourceServerDirectory | undefined,
  access?: AccessReader | undefined,
): Features['resourceIndicators'] {
  return {
    enabled: true,
    // A client that names no API gets a token for none (usable at userinfo only). When several
    // were granted and the token request names none, the client must choose (RFC 8707 §2.2):
    // returning the list makes oidc-provider answer `invalid_target` saying so.
    async defaultResource(ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) {
      if (oneOf?.length === 1) return oneOf[0];
      if (oneOf === undefined && isClientCredentialsRequest(ctx))
        await refuseApiScopesWithoutResource(ctx, directory);
      return oneOf;
    },
    // When a sign-in granted an API but the token request names none, the access token is for
    // userinfo (oidc-provider's default): an RP that signs users in keeps its userinfo token and
    // asks for the API's token with `resource=` at the token endpoint (RFC 8707 §2.2). Requests
    // without `openid` get the granted API's token anyway (oidc-provider's resolveResource).
    async useGrantedResource() {
      return false;
    },
    async getResourceServerInfo(
      ctx: KoaContextWithOIDC,
      indicator: string,
      client: { clientId: string },
    ) {
      // A store outage answers 503 temporarily_unavailable, like every other store read.
      const api = directory
        ? (await answerOutageAsOAuth(() => directory.current())).byIdentifier(indicator)
        : undefined;
      if (!api) throw new errors.InvalidTarget('the resource indicator is not a registered API');
      if (isClientCredentialsRequest(ctx)) return resourceServerInfo(api, client.clientId);
      // Issue 16: read the user's roles afresh for every decision, so a role taken away (or a
      // group left) takes effect on the next token, refreshes included.
      const accountId = access && (api.roleScopes ?? []).length > 0 ? accountIdOf(ctx) : undefined;
      const roles =
        access && accountId !== undefined
          ? (await answerOutageAsOAuth(() => access.effective(accountId))).roles
          : undefined;
      return resourceServerInfo(api, undefined, roles);
    },
  } as Features['resourceIndicators'];
}

/**
 * `formats.customizers.jwt`: adds the sealed grant reference to JWT access tokens of a grant, so
 * introspection can tell whether the grant still exists. Client-credentials tokens have no grant.
 */
export function jwtAccessTokenCustomizer(codec: GrantReferenceCodec | undefined): JwtCustomizer {
  return function addGrantReference(_ctx, token, jwt) {
    const grantId = (token as { grantId?: unknown }).grantId;
    if (codec && typeof grantId === 'string' && grantId.length > 0) {
      jwt.payload[GRANT_REFERENCE_CLAIM] = codec.seal(grantId);
    }
  } as JwtCustomizer;
}
