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
  // Second factors (issue 14, src/mfa/): details.factor is totp, recovery_code or passkey.
  'mfa.enrolled': 'a user enrolled a second factor; details.factor',
  'mfa.removed': 'a second factor was removed; details.factor (all: every factor, by an admin)',
  'mfa.succeeded': 'a user passed the second-factor step; details.factor',
  'mfa.failed':
    'a second-factor check was refused; details.factor, details.reason: wrong, replayed, locked or ip_limited',
  'mfa.locked':
    'repeated second-factor failures locked the account for security.login.lockoutSeconds',
  'passkey.added': 'a user registered a passkey; details.name',
  'passkey.used': 'a user signed in with a passkey; details.usage: passwordless or second_factor',
  'passkey.removed': 'a passkey was removed; details.name',
  'recovery_code.used': 'a user signed in with a recovery code; details.remaining',
  'recovery_codes.regenerated': 'a user got new recovery codes; the old ones stopped working',
  // Account lifecycle and account centre (issue 15; src/account-centre/)
  'password.reset_requested':
    'someone asked for a password-reset link; subject set only when the address names an account',
  'password.reset': 'a user chose a new password through a reset or invitation link',
  'password.changed': 'a user changed their password on the account page',
  'email.verification_sent': 'a confirmation link was sent to the account address',
  'email.verified': 'a user confirmed their email address',
  'email.change_requested': 'a user asked to change their email address (confirmed at the new one)',
  'email.changed': 'a user confirmed a new email address',
  'profile.updated': 'a user changed their profile on the account page',
  'session.signed_out':
    'a user signed one session out from the account page (details.others: every other one)',
  'device.new': 'an account signed in from a browser it had not used before',
  'account.exported': 'a user downloaded their data (GDPR Art. 15/20)',
  'account.deleted':
    'an account was deleted (GDPR Art. 17); subject is the pseudonym its events now carry',
  'invitation.sent': 'an invitation link to choose a password was sent to a new user',
  'webhook.delivered':
    'a webhook message was delivered; details.endpoint, details.event, details.attempt',
  'webhook.failed':
    'delivering a webhook message failed; details.endpoint, details.event, details.attempt, details.final',
  'delivery.dead_lettered':
    'an outbound delivery (logout token or webhook) used its retry budget and became a dead letter an admin can retry; details.delivery, details.kind, details.target',
} as const satisfies Record<string, string>;

export type SecurityEventType = keyof typeof SECURITY_EVENT_TYPES;
