import type { Config } from '../config/schema.ts';
import type { OnLockout } from '../security/lockout-hook.ts';
import { createLoginThrottle } from '../security/login-throttle.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { CounterStore, OidcModelStore } from '../storage/ports.ts';
import { createSessionLimit } from '../security/session-limit.ts';
import type { OnSessionsEnding } from '../security/sessions-ending-hook.ts';
import type { CredentialStore } from '../storage/credential-ports.ts';
import { createPasskeyCeremonies, relyingPartyOf } from './passkey-ceremonies.ts';
import { createMfaDecide } from './mfa-decision.ts';
import type { MfaService } from './mfa-service.ts';
import { createSecondFactorGuard, type GuardedFactor } from './second-factor-guard.ts';

/**
 * What sign-in needs of second factors, built from the configuration: the engine prompt's
 * decision (`mfa.defaultPolicy` and the client's `mfa`) and the guarded code check, limited like
 * passwords (`security.login.*`, the same counters shared by every process).
 */
export function createMfaSignIn(deps: {
  config: Pick<Config, 'mfa' | 'security' | 'server' | 'ui'>;
  mfa: MfaService;
  credentials: CredentialStore;
  counters: CounterStore;
  /** For the concurrent-session limit of passwordless sign-ins (security.sessions.*). */
  oidc: Pick<OidcModelStore, 'findByAccountId' | 'destroy'>;
  onSessionsEnding?: OnSessionsEnding | undefined;
  events: SecurityEvents;
  now?: () => number;
  onLockout?: OnLockout | undefined;
  observe?:
    ((factor: GuardedFactor | 'passkey', outcome: 'success' | 'failure') => void) | undefined;
}) {
  const { login } = deps.config.security;
  const throttle = createLoginThrottle({
    counters: deps.counters,
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
    service: deps.mfa,
    decide: createMfaDecide({ mfa: deps.mfa, defaultPolicy: deps.config.mfa.defaultPolicy }),
    verify: createSecondFactorGuard({
      mfa: deps.mfa,
      throttle,
      events: deps.events,
      observe: deps.observe,
    }),
    observe: deps.observe,
    // A passkey sign-in starts a session like a password one: the same limit (ASVS 7.1.2).
    admitSession: createSessionLimit({
      oidc: deps.oidc,
      events: deps.events,
      onSessionsEnding: deps.onSessionsEnding,
      policy: {
        maxConcurrent: deps.config.security.sessions.maxConcurrent,
        onLimit: deps.config.security.sessions.onLimit,
      },
    }),
    // RP ID = the issuer's host; the issuer's origin the only accepted one (passkey-ceremonies.ts).
    passkeys: createPasskeyCeremonies({
      credentials: deps.credentials,
      rp: relyingPartyOf(deps.config.server.issuer, deps.config.ui.productName),
      events: deps.events,
      now: deps.now,
    }),
  };
}

export type MfaSignIn = ReturnType<typeof createMfaSignIn>;
