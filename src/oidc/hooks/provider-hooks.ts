import type { Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import { authorizationPostRedirect } from './authorization-post-redirect.ts';
import { offlineAccessConsent } from './offline-access-consent.ts';
import { retryAfter } from './retry-after.ts';

/** One row of the hooks table: a middleware acting on the provider's endpoints, and why. */
export interface ProviderHook {
  readonly name: string;
  /** One line: what it does and the rule it follows. */
  readonly why: string;
  readonly middleware: Middleware;
}

/** What the hooks act with; every one is built once per process (src/server.ts). */
export interface ProviderHookDeps {
  /** The provider's authorization endpoint path (the hooks before routing match it). */
  authorizationPath: string;
  /** Brute-force limits on client authentication (src/security/client-auth-throttle.ts). */
  clientAuthThrottle?: Middleware | undefined;
  /** `security.logout.revokeOfflineTokens` (src/security/logout-revokes-offline-grants.ts). */
  logoutRevocation?: Middleware | undefined;
  /** Cache-Control on the JWKS (./jwks-cache-headers.ts). */
  jwksCacheHeaders?: Middleware | undefined;
  /** Live answers for JWT access tokens at introspection (./introspection-completion.ts). */
  introspectionCompletion?: Middleware | undefined;
  /** RFC 7009 for JWT access tokens (./jwt-revocation.ts). */
  jwtRevocation?: Middleware | undefined;
  /** The refresh-token reuse grace window (src/security/refresh-token-grace.ts). */
  refreshTokenGrace?: Middleware | undefined;
  /** RFC 7591/7592: our registration policy, audit log and cascade (src/admin/registration-hooks.ts). */
  registrationHooks?: Middleware | undefined;
  /** Sessions' devices and new-device alerts (src/account-centre/session-activity.ts). */
  sessionActivity?: Middleware | undefined;
}

/**
 * Every piece of code that acts on a provider endpoint, in execution order: each runs around the
 * engine (`provider.use()`, its documented extension point), before the engine routes the request
 * and after it answered. Hooks that act before routing match the configured path (the route is
 * not known yet); those that act on the answer read `ctx.oidc.route`. This table is the only
 * place that orders them (docs/architecture.md shows it).
 */
export function providerHooks(deps: ProviderHookDeps): ProviderHook[] {
  const rows: (ProviderHook | undefined)[] = [
    {
      name: 'retryAfter',
      why: 'RFC 9110 §10.2.3: every 503 temporarily_unavailable says when to come back',
      middleware: retryAfter(),
    },
    deps.clientAuthThrottle && {
      name: 'clientAuthThrottle',
      why: 'ASVS 6.3.1: 429 before the engine checks credentials once a client or network failed too often; counts every 401 invalid_client below it',
      middleware: deps.clientAuthThrottle,
    },
    deps.logoutRevocation && {
      name: 'logoutRevocation',
      why: 'security.logout.revokeOfflineTokens: a full logout also ends offline grants (RFC 9700 §4.14.2 MAY)',
      middleware: deps.logoutRevocation,
    },
    deps.jwksCacheHeaders && {
      name: 'jwksCacheHeaders',
      why: 'RFC 9111 §5.2.2: verifiers cache the JWKS, within the key-rotation lead time',
      middleware: deps.jwksCacheHeaders,
    },
    deps.introspectionCompletion && {
      name: 'introspectionCompletion',
      why: 'RFC 7662 for RFC 9068 JWTs the engine cannot introspect, and 401 invalid_client without client authentication (RFC 6749 §5.2)',
      middleware: deps.introspectionCompletion,
    },
    deps.jwtRevocation && {
      name: 'jwtRevocation',
      why: 'RFC 7009 for RFC 9068 JWTs the engine cannot revoke',
      middleware: deps.jwtRevocation,
    },
    deps.refreshTokenGrace && {
      name: 'refreshTokenGrace',
      why: 'RFC 9700 §4.14.2 with a grace window: a double-submitted refresh gets the same successor instead of revoking the grant',
      middleware: deps.refreshTokenGrace,
    },
    deps.registrationHooks && {
      name: 'registrationHooks',
      why: 'RFC 7591/7592: the admin rules apply to registrations, each is audited, a self-deleted client loses its tokens',
      middleware: deps.registrationHooks,
    },
    deps.sessionActivity && {
      name: 'sessionActivity',
      why: 'Issue 15: each session’s device and address for the sessions page; a sign-in from a browser the account never used sends a new-device alert',
      middleware: deps.sessionActivity,
    },
    {
      name: 'authorizationPostRedirect',
      why: 'OIDC Core §3.1.2.1: POST to the authorization endpoint, as the GET on which SameSite=Lax cookies travel',
      middleware: authorizationPostRedirect({ path: deps.authorizationPath }),
    },
    {
      name: 'offlineAccessConsent',
      why: 'OIDC Core §11: offline_access once the user approved it on our consent page, without prompt=consent',
      middleware: offlineAccessConsent({ path: deps.authorizationPath }),
    },
  ];
  return rows.filter((row): row is ProviderHook => row !== undefined);
}

/** Registers the table's hooks on a provider, in order. */
export function registerProviderHooks(provider: Provider, hooks: readonly ProviderHook[]): void {
  for (const hook of hooks) provider.use(hook.middleware);
}
