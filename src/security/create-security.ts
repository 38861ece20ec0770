import type { Middleware } from 'koa';
import type { AccountService } from '../accounts/account-service.ts';
import type { Config } from '../config/schema.ts';
import type { Store } from '../storage/ports.ts';
import { throttleClientAuthentication } from './client-auth-throttle.ts';
import type { OnLockout } from './lockout-hook.ts';
import { createLoginGuard, type SignIn } from './login-guard.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { logoutRevokesOfflineGrants } from './logout-revokes-offline-grants.ts';
import type { RequestContextHolder } from './request-context.ts';
import { createSessionLimit } from './session-limit.ts';
import type { SecurityEvents } from './security-events.ts';
import type { OnSessionsEnding } from './sessions-ending-hook.ts';

/** The defences the HTTP app wires in (src/app.ts), built from `security.*` in the configuration. */
export interface Security {
  requestContext: RequestContextHolder;
  events: SecurityEvents;
  /** Password sign-in with brute-force limits (the login page). */
  signIn: SignIn;
  /** Around the provider: limits on failed client authentication. */
  clientAuthThrottle: Middleware;
  /** Around the provider: revokes offline grants on logout, when configured. */
  logoutRevocation: Middleware | undefined;
}

/**
 * The provider's endpoints that authenticate clients (oidc-provider's default `routes`),
 * pushed authorization requests (RFC 9126 §2.1, `/request`) among them: a confidential client
 * authenticates there like at the token endpoint, so guessing its secret there is limited alike.
 */
export const CLIENT_AUTH_PATHS = [
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/request',
] as const;

export function createSecurity(deps: {
  config: Config;
  store: Pick<Store, 'counters' | 'oidc'>;
  accounts: Pick<AccountService, 'prepareLogin'>;
  events: SecurityEvents;
  requestContext: RequestContextHolder;
  now?: () => number;
  /** Told when any brute-force limit starts a lock (the lockout metric); nothing when absent. */
  onLockout?: OnLockout | undefined;
  /** Told which sessions the concurrent-session limit ended; nothing when absent. */
  onSessionsEnding?: OnSessionsEnding | undefined;
}): Security {
  const { config, store, events } = deps;
  const { login, clientAuth, sessions, logout } = config.security;
  const throttle = createLoginThrottle({
    counters: store.counters,
    now: deps.now,
    onLockout: deps.onLockout,
    policy: {
      maxFailures: login.maxFailures,
      failureWindowMs: login.failureWindowSeconds * 1000,
      lockoutMs: login.lockoutSeconds * 1000,
      delayBaseMs: login.delayBaseMs,
      delayMaxMs: login.delayMaxMs,
      ipMaxFailures: login.ipMaxFailures,
      ipWindowMs: login.ipWindowSeconds * 1000,
    },
  });
  return {
    requestContext: deps.requestContext,
    events,
    signIn: createLoginGuard({
      accounts: deps.accounts,
      throttle,
      events,
      delayMaxMs: login.delayMaxMs,
      admitSession: createSessionLimit({
        oidc: store.oidc,
        events,
        onSessionsEnding: deps.onSessionsEnding,
        policy: { maxConcurrent: sessions.maxConcurrent, onLimit: sessions.onLimit },
      }),
    }),
    clientAuthThrottle: throttleClientAuthentication({
      counters: store.counters,
      events,
      now: deps.now,
      onLockout: deps.onLockout,
      paths: CLIENT_AUTH_PATHS,
      policy: {
        maxFailures: clientAuth.maxFailures,
        windowMs: clientAuth.windowSeconds * 1000,
        ipMaxFailures: clientAuth.ipMaxFailures,
      },
    }),
    logoutRevocation: logout.revokeOfflineTokens
      ? logoutRevokesOfflineGrants({ oidc: store.oidc, events })
      : undefined,
  };
}
