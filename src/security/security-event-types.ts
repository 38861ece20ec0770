/**
 * Every security event type Portcullis's security layer records (ASVS 16.3.1–16.3.3), with
 * what it means. Changes to users and clients are recorded in the same store by the admin audit
 * log (src/admin/audit-log.ts) as `admin.*` and `registration.*`; `portcullis events list` and
 * `portcullis audit list` read them all.
 */
export const SECURITY_EVENT_TYPES = {
  'login.succeeded': 'a user signed in with their password',
  'login.failed':
    'a sign-in was refused; details.reason: unknown_user, wrong_password, disabled, locked, ip_limited or session_limit',
  'login.locked':
    'repeated failures locked an account (or an unknown login) for security.login.lockoutSeconds',
  logout: 'a user signed out (RP-initiated logout)',
  'session.ended': 'the server ended a session; details.reason: session_limit',
  'sessions.revoked':
    'every session, grant and token of a user was revoked; details.reason: password_changed, user_disabled or admin_request',
  'consent.given': 'a user approved an application',
  'consent.denied': 'a user denied an application',
  'grant.revoked':
    'a grant and its tokens were revoked; details.reason: logout, revocation, refresh_token_reuse, code_reuse or other',
  'token.revoked': 'a client revoked a token at the revocation endpoint (RFC 7009)',
  'token.reuse_detected':
    'a used refresh token or authorization code was presented again; its grant was revoked (RFC 9700 §4.14.2)',
  'client_auth.failed':
    'a client failed to authenticate at the token, introspection or revocation endpoint',
  'client_auth.throttled':
    'failed client authentications reached the limit; the client is refused from that address for a while',
  'backchannel_logout.delivered':
    'a back-channel logout token was delivered to a client; details.attempt',
  'backchannel_logout.failed':
    'delivering a back-channel logout token failed; details.attempt, details.final',
  'webhook.delivered':
    'a webhook message was delivered; details.endpoint, details.event, details.attempt',
  'webhook.failed':
    'delivering a webhook message failed; details.endpoint, details.event, details.attempt, details.final',
  'delivery.dead_lettered':
    'an outbound delivery (logout token or webhook) used its retry budget and became a dead letter an admin can retry; details.delivery, details.kind, details.target',
} as const satisfies Record<string, string>;

export type SecurityEventType = keyof typeof SECURITY_EVENT_TYPES;
