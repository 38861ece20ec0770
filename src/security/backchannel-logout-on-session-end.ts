import type { Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import { logoutIntentDelivery } from '../outbox/logout-intent.ts';
import type { NewOutboxDelivery, OutboxStore } from '../storage/outbox-ports.ts';
import type { EndedSession, OnSessionsEnding } from './sessions-ending-hook.ts';

/** What oidc-provider's Client has (lib/models/client.js) and its type declarations omit. */
interface LogoutCapableClient {
  clientId: string;
  backchannelLogoutUri?: string | undefined;
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
 * RP-initiated logout (which oidc-provider handles in its end_session action, before it destroys
 * the session). Before the sessions are deleted, one logout *intent* per client with a
 * `backchannel_logout_uri` is written to the store's outbox in one write (src/outbox/
 * logout-intent.ts): if that fails, this rejects and the sessions stay (the caller stops). Once
 * they are deleted, the returned function makes the first attempt of each at once, when this
 * process runs an outbox worker (`deliverNow`); what fails, or was never tried (the CLI without a
 * worker, a crash), waits in the outbox for any process's worker. The worker signs the token at
 * each attempt (src/oidc/logout-token.ts); each attempt is recorded as a
 * `backchannel_logout.*` security event.
 */
export function createBackchannelLogoutOnSessionEnd(deps: {
  provider: () => Provider;
  outbox: Pick<OutboxStore, 'enqueue'>;
  /** The first attempt, now; absent where no worker runs (the worker of a server sends them). */
  deliverNow?: ((id: string) => Promise<unknown>) | undefined;
  log: Logger;
  now: () => number;
}): OnSessionsEnding {
  return async function backchannelLogoutOnSessionEnd(accountId, sessions) {
    const intents: NewOutboxDelivery[] = [];
    const time = deps.now();
    const clients = new Map<string, LogoutCapableClient | undefined>();
    for (const session of sessions) {
      // The stored session names its user; a session of someone else is never reported here.
      const sub =
        typeof session.payload.accountId === 'string' ? session.payload.accountId : accountId;
      for (const [clientId, sid] of sidsByClient(session)) {
        if (!clients.has(clientId)) {
          clients.set(
            clientId,
            (await deps.provider().Client.find(clientId)) as unknown as
              LogoutCapableClient | undefined,
          );
        }
        const url = clients.get(clientId)?.backchannelLogoutUri;
        if (url) intents.push(logoutIntentDelivery({ clientId, url, sub, sid }, time));
      }
    }
    // Durable before anything ends; a failure rejects, and the caller keeps the sessions.
    await deps.outbox.enqueue(intents);
    return async function sendLogouts() {
      const { deliverNow } = deps;
      if (deliverNow === undefined) return;
      await Promise.all(
        intents.map((intent) =>
          deliverNow(intent.id).catch((err: unknown) => {
            // It stays in the outbox; a worker retries it.
            deps.log.warn(
              { err, event: 'backchannel.error', clientId: intent.target },
              'first back-channel logout attempt failed',
            );
          }),
        ),
      );
    };
  };
}
