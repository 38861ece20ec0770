import type { NewOutboxDelivery, OutboxDelivery } from '../storage/outbox-ports.ts';
import { newDeliveryId } from './delivery-id.ts';

/**
 * The media type of a back-channel logout *intent*: an outbox row that names whom to tell (the
 * client, the user's `sub`, the session's `sid`) instead of carrying a token. It is written
 * before the sessions it is about are deleted, so a crash or an outage between the two never
 * loses the logout (OIDC Back-Channel Logout 1.0 §2.7); the worker turns it into a signed logout
 * token at each attempt (src/oidc/logout-token.ts). Ours only, never sent on the wire.
 */
export const LOGOUT_INTENT_CONTENT_TYPE = 'application/vnd.portcullis.logout-intent+json';

export interface LogoutIntent {
  sub: string;
  sid: string;
}

/** The outbox row of a logout intent for `clientId`, whose logout endpoint is `url` now. */
export function logoutIntentDelivery(
  intent: LogoutIntent & { clientId: string; url: string },
  time: number,
): NewOutboxDelivery {
  return {
    id: newDeliveryId(time),
    kind: 'backchannel_logout',
    url: intent.url,
    body: JSON.stringify({ sub: intent.sub, sid: intent.sid }),
    contentType: LOGOUT_INTENT_CONTENT_TYPE,
    target: intent.clientId,
    topic: 'logout',
    availableAt: time,
  };
}

/** The intent a delivery carries, or `undefined` when it carries a ready token instead. */
export function logoutIntentOf(delivery: OutboxDelivery): LogoutIntent | undefined {
  if (delivery.contentType !== LOGOUT_INTENT_CONTENT_TYPE) return undefined;
  try {
    const parsed = JSON.parse(delivery.body) as { sub?: unknown; sid?: unknown };
    if (typeof parsed.sub === 'string' && typeof parsed.sid === 'string') {
      return { sub: parsed.sub, sid: parsed.sid };
    }
  } catch {
    // Not ours: handled as malformed below.
  }
  return undefined;
}
