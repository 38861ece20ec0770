import { errors, type Configuration, type ErrorOut, type FindAccount, type JWKS, type KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import type { OidcModelStore } from '../storage/ports.ts';
import { createStoreAdapterFactory } from './store-adapter.ts';

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
}

/** Custom client metadata: a client allowed to call the introspection endpoint (an API). */
export const RESOURCE_SERVER_METADATA = 'resource_server';

/** OIDC Core §5.4: which claims each scope releases. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

/**
 * Pure translation of our configuration into oidc-provider options. Every deviation from the
 * library's defaults says why.
 */
export function buildProviderConfiguration(deps: ProviderConfigurationDeps): Configuration {
  const { config, pages } = deps;
  const now = deps.now ?? Date.now;
  const algorithms = [...config.keys.algorithms];
  const [defaultAlg = 'ES256'] = algorithms;

  return {
    adapter: createStoreAdapterFactory(deps.oidcStore, now),
    // Every client lives in the store (created with the CLI or admin API), none in this file.
    clients: [],
    findAccount: deps.findAccount,
    jwks: deps.jwks,
    claims: SCOPE_CLAIMS as unknown as Configuration['claims'],
    scopes: ['openid', 'offline_access', 'profile', 'email', 'phone'],
    // RFC 9700 §2.1.2 and ASVS 10.6.1: only the code flow; no implicit or hybrid responses.
    responseTypes: ['code'],
    // ASVS 10.4.6: PKCE for every client, not only public ones; oidc-provider accepts only S256.
    pkce: { required: () => true },
    cookies: {
      keys: [...deps.cookieKeys],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: defaultAlg,
    },
    extraClientMetadata: {
      properties: [RESOURCE_SERVER_METADATA],
      validator(_ctx, key, value) {
        if (key === RESOURCE_SERVER_METADATA && value !== undefined && typeof value !== 'boolean') {
          throw new TypeError(`${RESOURCE_SERVER_METADATA} must be a boolean`);
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
      userinfo: { enabled: true },
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
        // The library's default lets any confidential client introspect any token; only APIs
        // (clients registered as resource servers) may (RFC 7662 §4: the endpoint must be protected).
        async allowedPolicy(_ctx, client) {
          return client.metadata()[RESOURCE_SERVER_METADATA] === true;
        },
      },
      rpInitiatedLogout: {
        enabled: config.features.rpInitiatedLogout,
        logoutSource: pages.logoutSource,
        postLogoutSuccessSource: pages.postLogoutSuccessSource,
      },
    },
    renderError: pages.renderError,
    // Browser-based clients may call the token, userinfo and revocation endpoints from the origins
    // of their own redirect URIs only (ASVS 3.4.2: no reflected or wildcard origins).
    clientBasedCORS(_ctx, origin, client) {
      return client.redirectUris?.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin) ?? false;
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    // RFC 9700 §4.14.2: rotate every refresh token on use; reuse of a rotated one revokes the grant.
    rotateRefreshToken: true,
    ttl: {
      AccessToken: config.ttl.accessToken,
      AuthorizationCode: config.ttl.authorizationCode,
      ClientCredentials: config.ttl.clientCredentials,
      IdToken: config.ttl.idToken,
      Interaction: config.ttl.interaction,
      Session: config.ttl.session,
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
