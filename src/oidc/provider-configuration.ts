// First: modules that import this one during a cycle read these (ESM evaluates in import order).
import { ACCOUNT_CENTRE_CLIENT_ID, accountCentreClient } from './account-centre-client.ts';
import { ADMIN_SCOPE, DEFAULT_CLIENT_SCOPE, PROVIDER_SCOPES, SCOPE_CLAIMS } from './scopes.ts';
import { CLIENT_RULES_POLICY, hostRegistrationPolicy } from './registration-hook.ts';
import {
  errors,
  type ClientMetadata,
  type Configuration,
  type ErrorOut,
  type FindAccount,
  type JWKS,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { createOutgoingFetch } from '../security/backchannel-delivery.ts';
import { providerCookieNames } from '../security/cookie-names.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import { sessionTtl } from '../security/session-ttl.ts';
import type { OidcModelStore } from '../storage/ports.ts';
import type { ResourceServerDirectory } from '../resources/resource-server-directory.ts';
import type { GrantReferenceCodec } from './grant-reference.ts';
import { ACR_VALUES_SUPPORTED } from './acr-values.ts';
import {
  CLAIM_MAPPINGS_METADATA,
  RESOURCE_SERVER_METADATA,
  VISIBLE_GROUPS_METADATA,
  VISIBLE_ROLES_METADATA,
} from './client-metadata.ts';
import { claimMappingsProblem } from '../rbac/claim-mappings.ts';
import { PROTECTED_CLAIMS } from '../rbac/protected-claims.ts';
import type { AccessReader } from '../rbac/role-claims.ts';
import { visibleNamesSchema } from '../rbac/visible-names.ts';
import { accessTokenRoleClaims } from './access-token-claims.ts';
import { OFFLINE_CONSENT_PARAM } from './hooks/offline-access-consent.ts';
import { ID_TOKEN_CLAIMS_METADATA, ID_TOKEN_CLAIMS_MODES } from './id-token-claims.ts';
import { mayIntrospect } from './introspection-policy.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';
import { jwtAccessTokenCustomizer, resourceIndicatorsFeature } from './resource-indicators.ts';
import { createStoreAdapterFactory } from './store-adapter.ts';
import { MFA_METADATA, MFA_POLICY_VALUES } from './client-metadata.ts';
import { mfaInteractionPolicy, type MfaPromptDecide } from './mfa-prompt.ts';
import { generateClientId, generateClientSecret } from '../clients/generate-client-credentials.ts';

/** Pages the provider renders itself (logout confirmation, signed-out page, OAuth error page). */
export interface ProviderPages {
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
  renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: Error): Promise<void>;
}

export interface ProviderConfigurationDeps {
  config: Config;
  oidcStore: OidcModelStore;
  findAccount: FindAccount;
  jwks: JWKS;
  cookieKeys: readonly string[];
  pages: ProviderPages;
  now?: () => number;
  /** Records back-channel logout deliveries (src/security/backchannel-delivery.ts). */
  events?: SecurityEvents | undefined;
  /** Registered APIs (RFC 8707 resource indicators); without it no `resource` is accepted. */
  resourceServers?: ResourceServerDirectory | undefined;
  /** Seals the grant reference of JWT access tokens (grant-reference.ts); none without it. */
  grantReferences?: GrantReferenceCodec | undefined;
  /** Roles, groups and attributes (issue 16): role claims in access tokens, API role scopes. */
  access?: AccessReader | undefined;
  /** Decides the second-factor prompt (src/oidc/mfa-prompt.ts); without it no step-up happens. */
  mfaDecide?: MfaPromptDecide | undefined;
  /**
   * Wraps the outgoing fetch built here (src/outbox/backchannel-outbox-fetch.ts: logout tokens
   * through the store outbox); without it, logout retries live in this process only.
   */
  wrapOutgoingFetch?:
    | ((
        fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>,
      ) => (input: string | URL | Request, init?: RequestInit) => Promise<Response>)
    | undefined;
}

/**
 * `oidc.customClaims` (issue 16): the claim names claim mappings may release besides the standard
 * ones. Protocol claims are refused at start, as a mapping naming them would be.
 */
function customClaims(config: Config): string[] {
  const refused = config.oidc.customClaims.filter((name) => PROTECTED_CLAIMS.has(name));
  if (refused.length > 0)
    throw new Error(`oidc.customClaims must not name protocol claims: ${refused.join(', ')}`);
  return [...config.oidc.customClaims];
}

/** oidc-provider's authorization endpoint (its default `routes.authorization`, stated so the
 *  hooks that act on it and the engine agree). */
export const AUTHORIZATION_PATH = '/auth';

/** oidc-provider's introspection endpoint (its default `routes.introspection`, stated so the
 *  introspection answer cache and the engine agree). */
export const INTROSPECTION_PATH = '/token/introspection';

// Re-exported for modules that imported it from here (./client-metadata.ts has no imports).
export { RESOURCE_SERVER_METADATA };

// Re-exported for modules that imported them from here; new code imports ./scopes.ts, which
// has no imports and so cannot take part in an import cycle.
export { ADMIN_SCOPE, DEFAULT_CLIENT_SCOPE };

// SCOPE_CLAIMS lives in ./scopes.ts (the consent page needs it too).
export { SCOPE_CLAIMS };

/**
 * Pure translation of our configuration into oidc-provider options. Every deviation from the
 * library's defaults says why.
 */
export function buildProviderConfiguration(deps: ProviderConfigurationDeps): Configuration {
  const { config, pages } = deps;
  const now = deps.now ?? Date.now;
  const algorithms = [...config.keys.algorithms];
  const [defaultAlg = 'ES256'] = algorithms;
  const custom = customClaims(config);
  // What a claim mapping may name as its target: the standard claims and `oidc.customClaims`.
  const releasable = new Set(
    [...Object.values(SCOPE_CLAIMS).flat(), ...custom].filter((c) => !PROTECTED_CLAIMS.has(c)),
  );

  return {
    adapter: createStoreAdapterFactory(deps.oidcStore, now),
    // Every client lives in the store (created with the CLI or admin API), none in this file,
    // but the account centre's own (./account-centre-client.ts), part of the server itself.
    clients: config.account.selfService
      ? [accountCentreClient(config.server.issuer, config.ui.productName) as ClientMetadata]
      : [],
    // The engine's default, plus: the account centre needs no consent (the user reads their own
    // account; OIDC Core §3.1.2.4 leaves consent to the OP's policy), so its grant is made here.
    async loadExistingGrant(ctx) {
      const grantId =
        ctx.oidc.result?.consent?.grantId ??
        ctx.oidc.session?.grantIdFor(ctx.oidc.client?.clientId ?? '');
      if (grantId) {
        const grant = await ctx.oidc.provider.Grant.find(grantId);
        if (grant) return grant;
      }
      const accountId = ctx.oidc.session?.accountId;
      if (ctx.oidc.client?.clientId !== ACCOUNT_CENTRE_CLIENT_ID || !accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ACCOUNT_CENTRE_CLIENT_ID, accountId });
      grant.addOIDCScope('openid');
      await grant.save();
      return grant;
    },
    findAccount: deps.findAccount,
    jwks: deps.jwks,
    // Scope claims (OIDC Core §5.4) and `sid`, which the engine sets on ID tokens itself.
    // Custom claims ride on `openid` (issue 16): they are released only when the client's claim
    // mapping produces them (src/oidc/find-account.ts), never otherwise.
    claims: {
      ...SCOPE_CLAIMS,
      openid: [...SCOPE_CLAIMS.openid, ...custom],
      sid: null,
    } as unknown as Configuration['claims'],
    scopes: [...PROVIDER_SCOPES],
    // RFC 9700 §2.1.2 and ASVS 10.6.1: only the code flow; no implicit or hybrid responses.
    responseTypes: ['code'],
    // `oidc.pkceRequired`: `all` (ASVS 10.4.6, RFC 9700 §2.1.1) for every client; `public` only
    // for clients without a secret (RFC 7636 as the certification profiles apply it), so
    // confidential clients written for them may omit it. oidc-provider accepts only S256.
    pkce: {
      required: (_ctx, client) =>
        config.oidc.pkceRequired === 'all' || client.clientAuthMethod === 'none',
    },
    // OIDC Core §5.4 lets the claims of scopes requested with a code flow come from UserInfo only
    // (oidc-provider's default); RP libraries' documented code reads them from the ID token, as
    // Keycloak and Google issue them. `oidc.idTokenClaims` / the client's `id_token_claims`
    // choose (src/oidc/find-account.ts filters per client).
    conformIdTokenClaims: false,
    // OIDC Core §2: the `acr` each sign-in achieves (src/oidc/acr-values.ts).
    acrValues: [...ACR_VALUES_SUPPORTED],
    cookies: {
      // `__Host-`/`__Secure-` names over https (src/security/cookie-names.ts).
      names: providerCookieNames(config.server.issuer.startsWith('https:')),
      keys: [...deps.cookieKeys],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    clientDefaults: {
      // A client with no `scope` metadata may otherwise request every scope the provider knows
      // (oidc-provider only checks scopes against a client's own list): default it to every
      // scope but admin, which must be registered by name.
      scope: DEFAULT_CLIENT_SCOPE,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // OIDC Registration §2: a client that registers no algorithm gets RS256 — what go-oidc,
      // Nimbus and most RP libraries verify by default. A client may register any enabled one.
      id_token_signed_response_alg: config.oidc.idTokenSigningAlg,
      // RFC 9701: a resource server asking with `Accept: application/token-introspection+jwt`
      // gets a signed introspection response; plain JSON otherwise.
      introspection_signed_response_alg: defaultAlg,
    },
    extraClientMetadata: {
      properties: [
        RESOURCE_SERVER_METADATA,
        ID_TOKEN_CLAIMS_METADATA,
        VISIBLE_ROLES_METADATA,
        VISIBLE_GROUPS_METADATA,
        CLAIM_MAPPINGS_METADATA,
        MFA_METADATA,
      ],
      validator(_ctx, key, value) {
        // Issue 16: which roles and groups the client may learn, and its claim mapping table.
        if (
          (key === VISIBLE_ROLES_METADATA || key === VISIBLE_GROUPS_METADATA) &&
          value !== undefined
        ) {
          const parsed = visibleNamesSchema.safeParse(value);
          if (!parsed.success)
            throw new errors.InvalidClientMetadata(
              `${key} ${parsed.error.issues[0]?.message ?? 'is not valid'}`,
            );
        }
        if (key === CLAIM_MAPPINGS_METADATA && value !== undefined) {
          const problem = claimMappingsProblem(value, releasable);
          if (problem) throw new errors.InvalidClientMetadata(`${key} ${problem}`);
        }
        if (key === RESOURCE_SERVER_METADATA && value !== undefined && typeof value !== 'boolean') {
          throw new errors.InvalidClientMetadata(`${RESOURCE_SERVER_METADATA} must be a boolean`);
        }
        if (
          key === ID_TOKEN_CLAIMS_METADATA &&
          value !== undefined &&
          !(ID_TOKEN_CLAIMS_MODES as readonly unknown[]).includes(value)
        ) {
          throw new errors.InvalidClientMetadata(
            `${ID_TOKEN_CLAIMS_METADATA} must be one of ${ID_TOKEN_CLAIMS_MODES.join(', ')}`,
          );
        }
        if (
          key === MFA_METADATA &&
          value !== undefined &&
          !(MFA_POLICY_VALUES as readonly unknown[]).includes(value)
        ) {
          throw new errors.InvalidClientMetadata(
            `${MFA_METADATA} must be one of ${MFA_POLICY_VALUES.join(', ')}`,
          );
        }
      },
    },
    enabledJWA: {
      idTokenSigningAlgValues: algorithms,
      userinfoSigningAlgValues: algorithms,
      introspectionSigningAlgValues: algorithms,
      authorizationSigningAlgValues: algorithms,
    },
    features: {
      // The library's development pages accept any username and password (ASVS 6.3.2).
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 7591 / 7592: registration only with an initial access token an admin created; every
      // such token carries CLIENT_RULES_POLICY, which applies the admin API's rules, and the
      // registration access token inherits it, so RFC 7592 updates are checked alike.
      registration: {
        enabled: config.features.registration,
        initialAccessToken: true,
        policies: { [CLIENT_RULES_POLICY]: hostRegistrationPolicy },
        issueRegistrationAccessToken: true,
        // The same shapes as the admin API's: ids without dots (MongoDB keys) or a leading "-"
        // (command lines), 256-bit secrets.
        idFactory: generateClientId,
        secretFactory: generateClientSecret,
      },
      registrationManagement: {
        enabled: config.features.registration,
        // RFC 7592 §2.2: a new registration access token on every update, the old one dies.
        rotateRegistrationAccessToken: true,
      },
      userinfo: { enabled: true },
      // Signed UserInfo responses for clients that register `userinfo_signed_response_alg`
      // (OIDC Core §5.3.2); plain JSON otherwise.
      jwtUserinfo: { enabled: true },
      // OIDC Core §5.5: the `claims` request parameter, to ask for single claims (and for
      // where they go: ID token or UserInfo).
      claimsParameter: { enabled: true },
      revocation: {
        enabled: config.features.revocation,
        // RFC 7009 §2.1: a client may revoke only tokens issued to it.
        async allowedPolicy(_ctx, client, token) {
          if (token.clientId === client.clientId) return true;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        },
      },
      introspection: {
        enabled: config.features.introspection,
        // The library's default lets any confidential client introspect any token. Here only
        // resource servers may, each for its own API's tokens (src/oidc/introspection-policy.ts).
        // Requests authenticated with HTTP Basic are answered before the provider, with the same
        // policy (src/http/introspection-endpoint.ts); this covers the other client auth methods.
        async allowedPolicy(_ctx, client, token) {
          if (!deps.resourceServers) return false;
          const directory = deps.resourceServers;
          return mayIntrospect(await answerOutageAsOAuth(() => directory.current()), client, token);
        },
      },
      // RFC 9701 JWT-secured introspection responses (see clientDefaults).
      jwtIntrospection: { enabled: config.features.introspection },
      // RFC 8707: tokens for registered APIs only, each with `aud` = that API and its scopes.
      resourceIndicators: resourceIndicatorsFeature(deps.resourceServers, deps.access),
      // RFC 9449 sender-constrained tokens (on by default in oidc-provider 9; stated so the choice
      // is visible): a token bound to a DPoP key is refused when presented as a Bearer token.
      dPoP: { enabled: true },
      // OpenID Connect Back-Channel Logout 1.0: clients registered with a
      // `backchannel_logout_uri` get a signed logout token when the user signs out.
      backchannelLogout: { enabled: config.features.backchannelLogout },
      rpInitiatedLogout: {
        enabled: config.features.rpInitiatedLogout,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
    },
    renderError: pages.renderError,
    // Outgoing requests as the library makes them, but back-channel logout deliveries go through
    // the store outbox when the server wires one (src/outbox/backchannel-outbox-fetch.ts), and
    // are otherwise retried in process (src/security/backchannel-delivery.ts).
    fetch: (deps.wrapOutgoingFetch ?? ((f) => f))(
      createOutgoingFetch({
        policy: config.security.backchannelLogout,
        report: deps.events
          ? (outcome) =>
              void deps.events?.record({
                type: outcome.delivered
                  ? 'backchannel_logout.delivered'
                  : 'backchannel_logout.failed',
                clientId: outcome.clientId,
                subject: outcome.subject,
                details: { attempt: outcome.attempt, final: outcome.final, status: outcome.status },
              })
          : undefined,
      }),
    ),
    // Browser-based clients may call the token, userinfo and revocation endpoints from the origins
    // of their own redirect URIs only (ASVS 3.4.2: no reflected or wildcard origins).
    clientBasedCORS(_ctx, origin, client) {
      return (
        client.redirectUris?.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin) ??
        false
      );
    },
    routes: { authorization: AUTHORIZATION_PATH, introspection: INTROSPECTION_PATH },
    // Set only by src/oidc/hooks/offline-access-consent.ts; kept with the interaction.
    extraParams: [OFFLINE_CONSENT_PARAM],
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      // The second-factor step between login and consent (src/oidc/mfa-prompt.ts).
      ...(deps.mfaDecide ? { policy: mfaInteractionPolicy(deps.mfaDecide) } : {}),
    },
    // RFC 9700 §4.14.2: rotate every refresh token on use; reuse of a rotated one revokes the grant.
    rotateRefreshToken: true,
    // RFC 9068 access tokens carry a sealed reference to their grant, so introspection can answer
    // a JWT's live status (src/oidc/grant-reference.ts).
    formats: { customizers: { jwt: jwtAccessTokenCustomizer(deps.grantReferences) } },
    // Issue 16: a user's access tokens carry their `roles`/`groups` (as the client may see them,
    // when the grant holds those scopes), in JWTs and in introspection answers alike. Computed at
    // issuance: an opaque token's introspection reflects the grant as issued.
    ...(deps.access ? { extraTokenClaims: accessTokenRoleClaims(deps.access) } : {}),
    ttl: {
      // An API's own lifetime wins (its `accessTokenTTL`, e.g. 300 s for JWTs); a number here
      // would override it, so these are functions.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.ttl.accessToken,
      AuthorizationCode: config.ttl.authorizationCode,
      ClientCredentials: (_ctx, token) =>
        token.resourceServer?.accessTokenTTL ?? config.ttl.clientCredentials,
      IdToken: config.ttl.idToken,
      Interaction: config.ttl.interaction,
      // ASVS 7.3.1/7.3.2: idle timeout, within the absolute lifetime (src/security/session-ttl.ts).
      Session: sessionTtl(
        {
          idleTimeoutSeconds: config.security.sessions.idleTimeoutSeconds,
          absoluteSeconds: config.ttl.session,
        },
        () => Math.floor(now() / 1000),
      ),
      Grant: config.ttl.grant,
      // ASVS 10.4.8: a rotated chain keeps the absolute expiry of the first token (`iiat`).
      RefreshToken(_ctx, token) {
        const issuedAt = typeof token.iiat === 'number' ? token.iiat : Math.floor(now() / 1000);
        const remaining = config.ttl.refreshToken - (Math.floor(now() / 1000) - issuedAt);
        return Math.max(1, remaining);
      },
    },
  };
}
