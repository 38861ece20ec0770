import type { Middleware } from 'koa';
import type { Config } from '../config/schema.ts';
import { introspectionCompletion } from '../oidc/hooks/introspection-completion.ts';
import { jwksCacheHeaders, jwksMaxAgeSeconds } from '../oidc/hooks/jwks-cache-headers.ts';
import { jwtRevocation } from '../oidc/hooks/jwt-revocation.ts';
import { createGrantReferenceCodec, type GrantReferenceCodec } from '../oidc/grant-reference.ts';
import { createJwtAccessTokenVerifier } from '../oidc/jwt-access-token-verifier.ts';
import type { ReloadingProviderHolder } from '../oidc/provider-holder.ts';
import { createTokenIntrospector } from '../oidc/token-introspector.ts';
import type { Store } from '../storage/ports.ts';
import {
  createResourceServerDirectory,
  type ResourceServerDirectory,
} from './resource-server-directory.ts';
import {
  createResourceServerService,
  resourceServerLimits,
  type ResourceServerService,
} from './resource-server-service.ts';

/** The provider hooks protecting APIs (rows of src/oidc/hooks/provider-hooks.ts). */
export interface ApiEndpoints {
  /** RFC 7662 live answers for JWT access tokens (src/oidc/hooks/introspection-completion.ts). */
  introspectionCompletion: Middleware;
  /** RFC 7009 revocation of JWT access tokens (src/oidc/hooks/jwt-revocation.ts). */
  jwtRevocation: Middleware;
  /** `Cache-Control` on the JWKS (src/oidc/hooks/jwks-cache-headers.ts). */
  jwksCacheHeaders: Middleware;
}

export interface ApiProtection {
  /** Registered APIs, for the provider's resource indicators and introspection policy. */
  directory: ResourceServerDirectory;
  /** Seals/opens the grant reference of JWT access tokens. */
  grantReferences: GrantReferenceCodec;
  /** API management for the CLI and the admin API; its changes reach this process's directory at once. */
  service: ResourceServerService;
  /** The hooks; `keys` are the provider holder's, read at request time (they verify JWT access tokens). */
  endpoints(keys: Pick<ReloadingProviderHolder, 'verificationKeys'>): ApiEndpoints;
}

/**
 * Everything "APIs behind Portcullis" needs (issue 5), composed once per process from the store
 * and configuration: registered resource servers, introspection, JWT access-token verification.
 * No I/O happens here.
 */
export function createApiProtection(deps: {
  config: Config;
  store: Pick<Store, 'resourceServers' | 'oidc' | 'counters' | 'accessControl'>;
  cookieKeys: readonly string[];
  now?: () => number;
}): ApiProtection {
  const { config } = deps;
  const directory = createResourceServerDirectory(deps.store.resourceServers);
  const grantReferences = createGrantReferenceCodec(deps.cookieKeys);
  const service = createResourceServerService({
    store: deps.store.resourceServers,
    clients: deps.store.oidc,
    limits: resourceServerLimits(config),
    now: deps.now,
    onChange: () => directory.invalidate(),
    roleExists: async (name) => (await deps.store.accessControl.findRole(name)) !== undefined,
  });
  return {
    directory,
    grantReferences,
    service,
    endpoints(keys) {
      const verifyJwt = createJwtAccessTokenVerifier({
        keys: () => keys.verificationKeys,
        algorithms: config.keys.algorithms,
      });
      const introspect = createTokenIntrospector({
        directory,
        grantReferences,
        verifyJwt,
        revoked: deps.store.counters,
      });
      return {
        introspectionCompletion: introspectionCompletion({ introspect }),
        jwtRevocation: jwtRevocation({ verifyJwt, counters: deps.store.counters, now: deps.now }),
        jwksCacheHeaders: jwksCacheHeaders({ maxAgeSeconds: jwksMaxAgeSeconds(config.keys) }),
      };
    },
  };
}
