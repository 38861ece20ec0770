import type { OidcPayload } from '../storage/ports.ts';

/** A session as stored (`payload.authorizations[clientId].sid` names it to each client). */
export interface EndedSession {
  id: string;
  payload: OidcPayload;
}

/**
 * Told about sessions the server ended on its own (a password change or reset, a disabled user,
 * an admin's "sign out everywhere", the concurrent-session limit), after they were deleted.
 * The account and security code knows nothing of what listens: src/server.ts wires in the
 * back-channel logout (src/security/backchannel-logout-on-session-end.ts). A listener must not
 * reject: nothing the user or admin did may fail because a relying party could not be told.
 */
export type OnSessionsEnded = (
  accountId: string,
  sessions: readonly EndedSession[],
) => Promise<void>;
