import type { AccountService, AccountView } from '../accounts/account-service.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { SecurityEvents } from './security-events.ts';
import type { AdmitSession } from './session-limit.ts';

export interface LoginAttempt {
  login: string;
  password: string;
  /** The client's address (src/http/client-ip.ts), for the per-network limit. */
  ip: string;
  /** The application the sign-in is for, for the security events. */
  clientId?: string | undefined;
  /** The browser's current session, which a sign-in replaces (not counted against the limit). */
  sessionId?: string | undefined;
}

export type LoginResult =
  | { ok: true; account: AccountView }
  /** `invalid`: wrong password, unknown user, disabled or locked account, all alike (ASVS 6.3.8). */
  | { ok: false; refusal: 'invalid' }
  /** Too many failures from this network: not about any account, so it may say so. */
  | { ok: false; refusal: 'ip_limited'; retryAfterSeconds: number }
  /** Right password, but the user has `security.sessions.maxConcurrent` sessions (`refuse`). */
  | { ok: false; refusal: 'session_limit' };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// How often an attempt waiting behind `maxFailures` others looks again, and for how long at most
// (beyond the longest growing delay those others may be sleeping).
const BUSY_POLL_MS = 100;
const BUSY_MAX_POLL_MS = 400;
const BUSY_EXTRA_WAIT_MS = 3000;

/**
 * Password sign-in with the brute-force limits (src/security/login-throttle.ts) and security
 * events. A locked account, a disabled one, an unknown login and a wrong password answer the
 * same `invalid`, after the same growing delay and the same argon2 work, so neither the answer
 * nor its timing tells an attacker which it was, or whether a lock is in force (ASVS 6.3.8).
 */
export function createLoginGuard(deps: {
  accounts: Pick<AccountService, 'prepareLogin'>;
  throttle: LoginThrottle;
  events: SecurityEvents;
  admitSession: AdmitSession;
  /** `security.login.delayMaxMs`: bounds how long an attempt waits behind others. */
  delayMaxMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}) {
  const sleep = deps.sleep ?? wait;
  const now = deps.now ?? Date.now;

  /**
   * The throttle's verdict, waiting while other attempts on the account are being checked
   * (two tabs signing in at once are both let in once the first succeeds; a burst of guesses
   * waits for the lock). Still busy after the wait: refused like a lock.
   */
  async function verdictFor(subjectKey: string, ip: string) {
    const deadline = now() + deps.delayMaxMs + BUSY_EXTRA_WAIT_MS;
    let pause = BUSY_POLL_MS;
    for (;;) {
      const verdict = await deps.throttle.check(subjectKey, ip);
      if (verdict.allowed || verdict.reason !== 'busy') return verdict;
      if (now() >= deadline) {
        // Still waiting behind others from the same network: that network is sending too many
        // sign-ins at once, which it may be told (it says nothing about any account).
        if (verdict.network)
          return { allowed: false as const, reason: 'ip_limited' as const, retryAfterMs: 1000 };
        return { ...verdict, reason: 'locked' as const };
      }
      await sleep(pause);
      // Backing off: a crowd of waiting attempts must not load the store.
      pause = Math.min(pause * 1.5, BUSY_MAX_POLL_MS);
    }
  }

  return async function signIn(attempt: LoginAttempt): Promise<LoginResult> {
    const login = await deps.accounts.prepareLogin(attempt.login);
    const about = { subject: login.accountId, clientId: attempt.clientId, ip: attempt.ip };
    const verdict = await verdictFor(login.subjectKey, attempt.ip);
    // The same delay for a locked, a fresh and an unknown login: it depends on this network's
    // own attempts only (login-throttle.ts `delayFor`). A network refusal says nothing of logins.
    await sleep(
      verdict.allowed || verdict.reason !== 'ip_limited'
        ? await deps.throttle.delayFor(login.subjectKey, attempt.ip)
        : 0,
    );
    if (!verdict.allowed) {
      await login.waste(attempt.password);
      await deps.events.record({
        type: 'login.failed',
        ...about,
        details: { reason: verdict.reason },
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
    const result = await login.check(attempt.password);
    if ('account' in result) {
      await deps.throttle.succeeded(login.subjectKey, attempt.ip, verdict);
      const { admitted } = await deps.admitSession(result.account.id, attempt.sessionId);
      if (!admitted) {
        await deps.events.record({
          type: 'login.failed',
          ...about,
          details: { reason: 'session_limit' },
        });
        return { ok: false, refusal: 'session_limit' };
      }
      await deps.events.record({ type: 'login.succeeded', ...about, subject: result.account.id });
      return { ok: true, account: result.account };
    }
    const { locked } = await deps.throttle.failed(login.subjectKey, verdict);
    await deps.events.record({
      type: 'login.failed',
      ...about,
      details: { reason: result.failure, attempt: verdict.attempt },
    });
    if (locked) await deps.events.record({ type: 'login.locked', ...about });
    return { ok: false, refusal: 'invalid' };
  };
}

export type SignIn = ReturnType<typeof createLoginGuard>;
