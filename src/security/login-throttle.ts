import type { CounterStore } from '../storage/ports.ts';
import { createCounterReservations, type Reservation } from './counter-reservation.ts';
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
  /** `network`: this attempt's unit of the per-network limit, given back by `succeeded`. */
  | { allowed: true; attempt: number; network: Reservation }
  | { allowed: false; reason: 'locked' | 'ip_limited'; retryAfterMs: number }
  /** The limit's units are held by attempts being checked right now: ask again once they are
   *  decided. `network`: the per-network limit's (else the account's). */
  | { allowed: false; reason: 'busy'; network: boolean; retryAfterMs: number };

export type AllowedVerdict = Extract<ThrottleVerdict, { allowed: true }>;

/**
 * The growing delay before attempt `attempt` (1-based) inside a failure window: none for the
 * first, then base, 2×base, 4×base … capped (OWASP Authentication Cheat Sheet: throttling).
 */
export function loginDelayMs(
  policy: Pick<LoginThrottlePolicy, 'delayBaseMs' | 'delayMaxMs'>,
  attempt: number,
): number {
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
 *   Each attempt *reserves* its unit of that limit before its password is checked
 *   (counter-reservation.ts) and gives it back unless it fails, so a parallel burst gets no more
 *   checks than the limit either (issue 12 item 7: 65 of 65 were checked against 50).
 *
 * Every read that lets an attempt in comes after its reservations: a check that reads a lock
 * and only then counts itself can count itself after the lock's failure reset the count, and so
 * be let in past the lock (seen on MongoDB: 6–7 checks against a limit of 5).
 */
export function createLoginThrottle(deps: {
  counters: CounterStore;
  policy: LoginThrottlePolicy;
  now?: () => number;
  onLockout?: OnLockout | undefined;
}) {
  const { counters, policy } = deps;
  const now = deps.now ?? Date.now;
  const onLockout = deps.onLockout ?? (() => undefined);
  const reservations = createCounterReservations(counters);

  const locked = (resetAt: number) =>
    ({ allowed: false, reason: 'locked', retryAfterMs: resetAt - now() }) as const;
  const ipLimited = (resetAt: number) =>
    ({ allowed: false, reason: 'ip_limited', retryAfterMs: resetAt - now() }) as const;
  const busy = { allowed: false, reason: 'busy', network: false, retryAfterMs: 0 } as const;
  const networkBusy = { ...busy, network: true } as const;

  return {
    /**
     * The growing delay of this attempt: by the attempts on this login *from this network* in
     * the failure window, locked or not, counted once per sign-in (call it once, not per poll).
     * Not by the account's own count: a lock is reached at `maxFailures`, so a delay taken from
     * the account told anyone trying a login once whether others had locked it — a locked login
     * answered after the delay of attempt `maxFailures`, a fresh or unknown one at once (issue 12
     * item 10; ASVS 6.3.8). Now the delay depends only on what the asker did itself.
     */
    async delayFor(subjectKey: string, ip: string): Promise<number> {
      const seen = await counters.hit(
        counterKeys.loginDelay(subjectKey, ip),
        policy.failureWindowMs,
      );
      return loginDelayMs(policy, seen.count);
    },

    async check(subjectKey: string, ip: string): Promise<ThrottleVerdict> {
      // Cheap refusals first, reading only: attempts refused here take no unit, so attempts
      // that wait (busy) or hammer a lock do not inflate the counts while they poll.
      const lock = await counters.get(counterKeys.loginLock(subjectKey));
      if (lock) return locked(lock.resetAt);
      const held = await reservations.state(counterKeys.loginIpAttempts(ip));
      if (held && held.failed >= policy.ipMaxFailures) return ipLimited(held.resetAt);
      if (held && held.inUse >= policy.ipMaxFailures) return networkBusy;
      const pending = await counters.get(counterKeys.loginAttempts(subjectKey));
      if (pending && pending.count >= policy.maxFailures) return busy;

      // Reserve, then decide on what the reservations say (an atomic step each).
      const network = await reservations.reserve(
        counterKeys.loginIpAttempts(ip),
        policy.ipWindowMs,
      );
      if (network.inUse > policy.ipMaxFailures) {
        await reservations.release(network);
        // Over the limit by failures: refused. Else the units are held by attempts still being
        // checked: wait for them (a success gives its unit back).
        return network.failed >= policy.ipMaxFailures ? ipLimited(network.resetAt) : networkBusy;
      }
      const attempts = await counters.hit(
        counterKeys.loginAttempts(subjectKey),
        policy.failureWindowMs,
      );
      if (attempts.count > policy.maxFailures) {
        await reservations.release(network);
        return busy;
      }
      // The lock is set before the failure that set it resets the count: a count taken after
      // that reset sees the lock here.
      const lockNow = await counters.get(counterKeys.loginLock(subjectKey));
      if (lockNow) {
        await reservations.release(network);
        return locked(lockNow.resetAt);
      }
      return { allowed: true, attempt: attempts.count, network };
    },

    /** Records a failed check (its network unit stays counted); answers whether it locked the account. */
    async failed(subjectKey: string, verdict: AllowedVerdict): Promise<{ locked: boolean }> {
      const networkFailures = await reservations.fail(verdict.network);
      // Exactly the failure that reaches the limit: failures only grow inside a window, so each
      // window's lock of a network is told once, however many attempts were in flight.
      if (networkFailures === policy.ipMaxFailures) onLockout('ip');
      if (verdict.attempt < policy.maxFailures) return { locked: false };
      await counters.hit(counterKeys.loginLock(subjectKey), policy.lockoutMs);
      await counters.reset(counterKeys.loginAttempts(subjectKey));
      // Attempts beyond `maxFailures` are `busy` or `locked` (see `check`), so only one attempt
      // per lock gets here.
      onLockout('account');
      return { locked: true };
    },

    /** The password was right: clears the account's count and gives the network unit back. */
    async succeeded(subjectKey: string, ip: string, verdict: AllowedVerdict): Promise<void> {
      await counters.reset(counterKeys.loginAttempts(subjectKey));
      await counters.reset(counterKeys.loginDelay(subjectKey, ip));
      await reservations.release(verdict.network);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
