import type { Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import type { EndedSession, OnSessionsEnded } from './sessions-ended-hook.ts';

/** What oidc-provider's Client has (lib/models/client.js) and its type declarations omit. */
interface LogoutCapableClient {
  clientId: string;
  backchannelLogoutUri?: string | undefined;
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

/** `payload.authorizations` of a stored Session: client id → the sid that client was given. */
function sidsByClient(session: EndedSession): [clientId: string, sid: string][] {
  const { authorizations } = session.payload;
  if (typeof authorizations !== 'object' || authorizations === null) return [];
  const pairs: [string, string][] = [];
  for (const [clientId, authorization] of Object.entries(
    authorizations as Record<string, unknown>,
  )) {
    const sid = (authorization as { sid?: unknown } | null)?.sid;
    if (typeof sid === 'string') pairs.push([clientId, sid]);
  }
  return pairs;
}

/**
 * OIDC Back-Channel Logout 1.0 §2.7 for sessions the OP ends itself: "the OP sends a logout
 * token to each RP that had a session with the user" whenever it logs the user out, not only on
 * RP-initiated logout (which oidc-provider handles in its end_session action). The token is
 * built and sent by the same `client.backchannelLogout(sub, sid)` that action calls, so it goes
 * through the provider's `fetch` and its retries (src/security/backchannel-delivery.ts), and
 * each attempt is recorded as a `backchannel_logout.*` security event. Deliveries run in
 * parallel; the first attempt of each is awaited (retries continue in the background), and a
 * failure is logged, never thrown.
 */
export function createBackchannelLogoutOnSessionEnd(deps: {
  provider: () => Provider;
  log: Logger;
}): OnSessionsEnded {
  return async function backchannelLogoutOnSessionEnd(accountId, sessions) {
    const deliveries: Promise<void>[] = [];
    for (const session of sessions) {
      // The stored session names its user; a session of someone else is never reported here.
      const sub =
        typeof session.payload.accountId === 'string' ? session.payload.accountId : accountId;
      for (const [clientId, sid] of sidsByClient(session)) {
        deliveries.push(
          (async () => {
            const client = (await deps.provider().Client.find(clientId)) as unknown as
              LogoutCapableClient | undefined;
            if (!client?.backchannelLogoutUri) return;
            await client.backchannelLogout(sub, sid);
          })().catch((err: unknown) => {
            deps.log.warn(
              {
                event: 'backchannel.error',
                clientId,
                reason: err instanceof Error ? err.message : 'unknown error',
              },
              'back-channel logout failed',
            );
          }),
        );
      }
    }
    await Promise.all(deliveries);
  };
}
