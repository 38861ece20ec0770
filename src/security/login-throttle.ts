import type { CounterStore } from '../storage/ports.ts';
import type { OnLockout } from './lockout-hook.ts';
import { counterKeys } from './throttle-keys.ts';

/** `security.login` in the configuration, in milliseconds. */
export interface LoginThrottlePolicy {
  /** Consecutive failed attempts on one account before it is locked. */
  maxFailures: number;
  /** How long failed attempts are remembered (a fixed window from the first). */
  failureWindowMs: number;
  /** How long a lock lasts. */
  lockoutMs: number;
  /** Delay before the second attempt; it doubles with each further attempt. 0 turns delays off. */
  delayBaseMs: number;
  delayMaxMs: number;
  /** Failed sign-ins from one network (any accounts) before it is refused for the window. */
  ipMaxFailures: number;
  ipWindowMs: number;
}

export type ThrottleVerdict =
  | { allowed: true; attempt: number; delayMs: number }
  | { allowed: false; reason: 'locked' | 'ip_limited'; retryAfterMs: number; delayMs: number }
  /** `maxFailures` attempts are being checked right now: ask again once they are decided. */
  | { allowed: false; reason: 'busy'; retryAfterMs: number; delayMs: number };

/**
 * The growing delay before attempt `attempt` (1-based) inside a failure window: none for the
 * first, then base, 2×base, 4×base … capped (OWASP Authentication Cheat Sheet: throttling).
 */
export function loginDelayMs(policy: Pick<LoginThrottlePolicy, 'delayBaseMs' | 'delayMaxMs'>, attempt: number): number {
  if (attempt <= 1 || policy.delayBaseMs <= 0) return 0;
  return Math.min(policy.delayMaxMs, policy.delayBaseMs * 2 ** Math.min(attempt - 2, 30));
}

/**
 * Brute-force limits of sign-in (ASVS 6.3.1), kept in the shared counter store so they hold
 * across every Portcullis process.
 *
 * - Per account: each attempt is counted *before* the password is checked, atomically, so a
 *   burst of parallel guesses cannot get more than `maxFailures` checks: attempts beyond them
 *   are `busy` and wait until the earlier ones are decided (a success clears the count and lets
 *   them in; the failure that reaches the limit locks the account for `lockoutMs`). While
 *   locked, attempts are refused without checking the password and without touching the lock,
 *   which therefore always ends on time (an attacker cannot extend it). The lock starts a fresh
 *   count.
 * - Per network: failures from one address (IPv6: one /64) over any accounts are counted, and
 *   past `ipMaxFailures` further sign-ins from there are refused until the window ends
 *   (password spraying: one password tried on many accounts never trips a per-account limit).
 */
export function createLoginThrottle(deps: { counters: CounterStore; policy: LoginThrottlePolicy; now?: () => number; onLockout?: OnLockout | undefined }) {
  const { counters, policy } = deps;
  const now = deps.now ?? Date.now;
  const onLockout = deps.onLockout ?? (() => undefined);

  return {
    async check(subjectKey: string, ip: string): Promise<ThrottleVerdict> {
      const lock = await counters.get(counterKeys.loginLock(subjectKey));
      if (lock) {
        return { allowed: false, reason: 'locked', retryAfterMs: lock.resetAt - now(), delayMs: loginDelayMs(policy, policy.maxFailures) };
      }
      const network = await counters.get(counterKeys.loginIpFailures(ip));
      if (network && network.count >= policy.ipMaxFailures) {
        return { allowed: false, reason: 'ip_limited', retryAfterMs: network.resetAt - now(), delayMs: 0 };
      }
      // Looked at first so that waiting attempts do not inflate the count while they poll.
      const pending = await counters.get(counterKeys.loginAttempts(subjectKey));
      const busy = { allowed: false, reason: 'busy', retryAfterMs: 0, delayMs: 0 } as const;
      if (pending && pending.count >= policy.maxFailures) return busy;
      const attempts = await counters.hit(counterKeys.loginAttempts(subjectKey), policy.failureWindowMs);
      if (attempts.count > policy.maxFailures) return busy;
      return { allowed: true, attempt: attempts.count, delayMs: loginDelayMs(policy, attempts.count) };
    },

    /** Records a failed check; answers whether this failure locked the account. */
    async failed(subjectKey: string, ip: string, attempt: number): Promise<{ locked: boolean }> {
      const network = await counters.hit(counterKeys.loginIpFailures(ip), policy.ipWindowMs);
      // Exactly the failure that reaches the limit: the count only grows inside a window, so
      // each window's lock of a network is told once, however many attempts were in flight.
      if (network.count === policy.ipMaxFailures) onLockout('ip');
      if (attempt < policy.maxFailures) return { locked: false };
      await counters.hit(counterKeys.loginLock(subjectKey), policy.lockoutMs);
      await counters.reset(counterKeys.loginAttempts(subjectKey));
      // Attempts beyond `maxFailures` are `busy` or `locked` (see `check`), so only one attempt
      // per lock gets here.
      onLockout('account');
      return { locked: true };
    },

    async succeeded(subjectKey: string): Promise<void> {
      await counters.reset(counterKeys.loginAttempts(subjectKey));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
