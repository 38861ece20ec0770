import { StoreUnavailableError } from '../storage/ports.ts';
import { TemporarilyUnavailableError } from './temporarily-unavailable-error.ts';

// A property on the request's context, never a module-level set: it lives and dies with the
// request (the key is a constant, not state).
const NOT_QUEUED = Symbol('portcullis.logoutNotQueued');

/**
 * Marks the request (oidc-provider's context of end_session) as one whose back-channel logout
 * token could not be written to the outbox. oidc-provider sends logout tokens before it
 * destroys the session (lib/actions/end_session.js `endSession`), and goes on to destroy it
 * whatever the sending came to; the store adapter then refuses to destroy or re-key a session
 * in this request (`refuseIfLogoutNotQueued`), so the logout fails visibly (503) and the user
 * still has the session to sign out of again, rather than ending it with the token lost.
 */
export function markLogoutNotQueued(ctx: object | undefined): void {
  if (ctx !== undefined) Reflect.set(ctx, NOT_QUEUED, true);
}

/** Throws `temporarily_unavailable` when this request could not queue a logout token. */
export function refuseIfLogoutNotQueued(ctx: object | undefined): void {
  if (ctx !== undefined && Reflect.get(ctx, NOT_QUEUED) === true) {
    throw new TemporarilyUnavailableError(
      new StoreUnavailableError('a logout token could not be written to the outbox'),
    );
  }
}
