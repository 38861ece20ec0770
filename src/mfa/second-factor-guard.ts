import type { LoginThrottle } from '../security/login-throttle.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { MfaService } from './mfa-service.ts';

export type GuardedFactor = 'totp' | 'recovery_code';

export type SecondFactorResult =
  | { ok: true; factor: GuardedFactor; remaining?: number | undefined }
  /** Wrong, replayed, or the account is locked: one answer for all (ASVS 6.3.8). */
  | { ok: false; refusal: 'invalid' }
  /** Too many failures from this network: about no account, so it may say so. */
  | { ok: false; refusal: 'ip_limited'; retryAfterSeconds: number };

/**
 * Guessing limits on codes (ASVS 6.3.1, 6.5.x): a 6-digit TOTP has 10^6 values and three are
 * right at any time, so without a limit it falls in hours. The password's throttle is reused
 * (src/security/login-throttle.ts, store-backed counters shared by every process) under its own
 * per-account key, `mfa:<account>`, so failed codes lock the second factor, not the password;
 * the per-network limit is the sign-in one: a network guessing codes is guessing sign-ins.
 */
export function createSecondFactorGuard(deps: {
  mfa: Pick<MfaService, 'checkTotp' | 'useRecoveryCode'>;
  throttle: LoginThrottle;
  events: SecurityEvents;
  /** Told every outcome, by factor (metrics: `portcullis_second_factor_checks_total`). */
  observe?: ((factor: GuardedFactor, outcome: 'success' | 'failure') => void) | undefined;
}) {
  const subjectKey = (accountId: string) => `mfa:${accountId}`;

  return async function verifySecondFactor(attempt: {
    accountId: string;
    factor: GuardedFactor;
    code: string;
    ip: string;
    clientId?: string | undefined;
  }): Promise<SecondFactorResult> {
    const key = subjectKey(attempt.accountId);
    const about = { subject: attempt.accountId, clientId: attempt.clientId, ip: attempt.ip };
    const verdict = await deps.throttle.check(key, attempt.ip);
    if (!verdict.allowed) {
      deps.observe?.(attempt.factor, 'failure');
      const reason = verdict.reason === 'ip_limited' ? 'ip_limited' : 'locked';
      await deps.events.record({
        type: 'mfa.failed',
        ...about,
        details: { factor: attempt.factor, reason },
      });
      if (verdict.reason === 'ip_limited') {
        return {
          ok: false,
          refusal: 'ip_limited',
          retryAfterSeconds: Math.max(1, Math.ceil(verdict.retryAfterMs / 1000)),
        };
      }
      return { ok: false, refusal: 'invalid' };
    }
    let outcome: { ok: true; remaining?: number } | { ok: false; reason: string };
    if (attempt.factor === 'totp') {
      const check = await deps.mfa.checkTotp(attempt.accountId, attempt.code);
      outcome = check === 'ok' ? { ok: true } : { ok: false, reason: check };
    } else {
      const used = await deps.mfa.useRecoveryCode(attempt.accountId, attempt.code);
      outcome = used.ok ? { ok: true, remaining: used.remaining } : { ok: false, reason: 'wrong' };
    }
    if (outcome.ok) {
      await deps.throttle.succeeded(key, attempt.ip, verdict);
      deps.observe?.(attempt.factor, 'success');
      await deps.events.record({
        type: 'mfa.succeeded',
        ...about,
        details: { factor: attempt.factor },
      });
      return { ok: true, factor: attempt.factor, remaining: outcome.remaining };
    }
    const { locked } = await deps.throttle.failed(key, verdict);
    deps.observe?.(attempt.factor, 'failure');
    await deps.events.record({
      type: 'mfa.failed',
      ...about,
      details: { factor: attempt.factor, reason: outcome.reason, attempt: verdict.attempt },
    });
    if (locked) await deps.events.record({ type: 'mfa.locked', ...about });
    return { ok: false, refusal: 'invalid' };
  };
}

export type VerifySecondFactor = ReturnType<typeof createSecondFactorGuard>;
