import type { OidcPayload } from '../storage/ports.ts';

/** A session as stored (`payload.authorizations[clientId].sid` names it to each client). */
export interface EndedSession {
  id: string;
  payload: OidcPayload;
}

/** Called once the sessions are deleted: the first attempts to tell their apps. Never rejects. */
export type AfterSessionsEnded = () => Promise<void>;

/**
 * Told about sessions the server ends on its own (a password change or reset, a disabled user,
 * an admin's "sign out everywhere", the concurrent-session limit, an account deletion), *before*
 * they are deleted: the back-channel logout they cause is written to the store's outbox first
 * (src/security/backchannel-logout-on-session-end.ts), so a crash or an outage between the
 * deletion and the delivery loses nothing. If that write fails the hook rejects and the caller
 * must not end the sessions (the action fails visibly and can be repeated). The caller calls
 * the returned function after the deletion, so a client that reacts to its logout token by
 * sending the user back finds no session. The account and security code knows nothing of what
 * listens: src/server.ts wires it in.
 */
export type OnSessionsEnding = (
  accountId: string,
  sessions: readonly EndedSession[],
) => Promise<AfterSessionsEnded>;
