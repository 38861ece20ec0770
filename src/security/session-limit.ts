import type { OidcModelStore } from '../storage/ports.ts';
import type { SecurityEvents } from './security-events.ts';
import type { OnSessionsEnding } from './sessions-ending-hook.ts';

export interface SessionLimitPolicy {
  /** Most sessions one user may have at once; 0: no limit. */
  maxConcurrent: number;
  /** At the limit: `oldest` ends the user's oldest sessions, `refuse` refuses the new sign-in. */
  onLimit: 'oldest' | 'refuse';
}

// Far above any sensible limit; bounds the read when a user somehow has piles of sessions.
const SCAN_LIMIT = 1000;

/**
 * The limit of concurrent sessions per user (ASVS 7.1.2), applied when a password sign-in
 * succeeded and before the session is written. The browser's own session (signing in again)
 * is not counted: it is replaced, not added. Concurrent sign-ins of one user may each see room
 * for themselves, so the limit can be exceeded by a race, never by more than the racers.
 */
export function createSessionLimit(deps: {
  oidc: Pick<OidcModelStore, 'findByAccountId' | 'destroy'>;
  policy: SessionLimitPolicy;
  events: SecurityEvents;
  /** Told which sessions the limit ended (back-channel logout to their clients). */
  onSessionsEnding?: OnSessionsEnding | undefined;
}) {
  const { policy } = deps;
  /**
   * `currentSessionId` is the browser's session as its interaction names it: the session's stored
   * id (sessions are stored under a hash of their cookie value, src/oidc/bearer-entries.ts), or
   * its raw id for an interaction and session both stored before that.
   */
  return async function admitSession(
    accountId: string,
    currentSessionId: string | undefined,
  ): Promise<{ admitted: boolean }> {
    if (policy.maxConcurrent <= 0) return { admitted: true };
    const sessions = (await deps.oidc.findByAccountId('Session', accountId, SCAN_LIMIT)).filter(
      (s) => s.id !== currentSessionId,
    );
    if (sessions.length < policy.maxConcurrent) return { admitted: true };
    if (policy.onLimit === 'refuse') return { admitted: false };
    // Oldest first (the port's order): end as many as needed to make room for the new one.
    const excess = sessions.slice(0, sessions.length - policy.maxConcurrent + 1);
    // Their logout tokens are made durable before they end (a failure fails this sign-in).
    const sendLogouts =
      excess.length > 0 ? await deps.onSessionsEnding?.(accountId, excess) : undefined;
    for (const session of excess) {
      await deps.oidc.destroy('Session', session.id);
      await deps.events.record({
        type: 'session.ended',
        subject: accountId,
        details: { reason: 'session_limit' },
      });
    }
    // Not awaited: the sign-in must not wait on other relying parties (it never rejects).
    if (sendLogouts) void sendLogouts();
    return { admitted: true };
  };
}

export type AdmitSession = ReturnType<typeof createSessionLimit>;
