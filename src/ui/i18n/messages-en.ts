/**
 * The English message catalogue: every string shown on every page, and the source of truth for the
 * set of message keys. Other languages (issue 7) are objects of type `MessageCatalogue`, so a key
 * missing from a translation is a type error, not a blank on a page.
 *
 * Placeholders are `{name}` and are filled by `createTranslator` (src/ui/i18n/translate.ts). Values are
 * plain text: HTML escaping happens in the EJS templates (`<%= %>`), never here.
 */
import { mfaMessagesEn } from './messages-mfa-en.ts';

export const messagesEn = {
  // Layout (views/_layout.ejs)
  'layout.documentTitle': '{page} – {productName}',
  'layout.skipToContent': 'Skip to main content',
  'layout.footer': 'Secure sign-in by {productName}',
  'layout.languageNav': 'Language',
  'layout.footerNav': 'About this service',

  // The app being signed in to, when it registered no name
  'client.unnamed': 'this app',

  // Login (views/login.ejs)
  'login.title': 'Sign in',
  'login.heading': 'Sign in',
  'login.intro': 'Sign in to continue to {client}',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.cancel': 'Cancel',
  // OWASP ASVS 6.3.8 / issue 2 item 8: one generic text, whether the user is unknown, the password is
  // wrong or the account is disabled, so the page does not reveal which accounts exist.
  'login.error.invalid_credentials': 'The username or password is incorrect.',
  'login.error.missing_fields': 'Enter your username and your password.',
  'login.error.csrf': 'This page had expired, so nothing was sent. Please sign in again.',

  // Consent (views/consent.ejs)
  'consent.title': 'Allow access',
  'consent.heading': '{client} wants to access your account',
  'consent.signedInAs': 'Signed in as {account}',
  'consent.scopesHeading': 'This will allow {client} to:',
  'consent.claimsHeading': '{client} will also see:',
  // One per API the app asks to use (RFC 8707 resource indicators); its scopes are listed below it.
  'consent.resourceHeading': '{client} will get access to {api}:',
  'consent.trustNote':
    'Only allow this if you trust {client}. Your password is never shared with it.',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',

  // Scopes, in plain words (OpenID Connect Core 1.0 §5.4 and §11)
  'scope.openid': 'Sign you in / know who you are',
  'scope.profile': 'Your name and profile details',
  'scope.email': 'Your email address',
  'scope.address': 'Your postal address',
  'scope.phone': 'Your phone number',
  'scope.offline_access': "Stay connected when you're away (keep access after you close the app)",
  'scope.unknown': 'Access to ‘{scope}’',
  // Issue 16: roles and groups, as far as this app may know them.
  'scope.roles': 'Your roles (what you are allowed to do), as far as this app may know them',
  'scope.groups': 'The groups you belong to, as far as this app may know them',

  // Claims, in plain words (OpenID Connect Core 1.0 §5.1)
  'claim.sub': 'An identifier for your account',
  'claim.name': 'Your full name',
  'claim.given_name': 'Your first name',
  'claim.family_name': 'Your last name',
  'claim.middle_name': 'Your middle name',
  'claim.nickname': 'Your nickname',
  'claim.preferred_username': 'Your username',
  'claim.profile': 'The address of your profile page',
  'claim.picture': 'Your profile picture',
  'claim.website': 'Your website',
  'claim.email': 'Your email address',
  'claim.email_verified': 'Whether your email address has been verified',
  'claim.gender': 'Your gender',
  'claim.birthdate': 'Your date of birth',
  'claim.zoneinfo': 'Your time zone',
  'claim.locale': 'Your language and region',
  'claim.phone_number': 'Your phone number',
  'claim.phone_number_verified': 'Whether your phone number has been verified',
  'claim.address': 'Your postal address',
  'claim.updated_at': 'When your profile was last updated',
  'claim.unknown': 'Your ‘{claim}’ information',
  'claim.roles': 'Your roles',
  'claim.groups': 'Your groups',

  // Logout confirmation (views/logout.ejs), RP-initiated logout
  'logout.title': 'Sign out',
  'logout.heading': 'Sign out?',
  'logout.intro': 'Do you want to sign out of {productName}?',
  'logout.introClient': '{client} asked to sign you out. Do you want to sign out of {productName}?',
  'logout.confirm': 'Sign out',
  'logout.stay': 'Stay signed in',

  // After logout (views/logged-out.ejs)
  'loggedOut.title': 'Signed out',
  'loggedOut.heading': 'Signed out',
  'loggedOut.message': 'You have been signed out.',
  'loggedOut.messageClient': 'You have been signed out of {client}.',
  'loggedOut.hint': 'You can close this window now.',
  'loggedOut.stayedTitle': 'Still signed in',
  'loggedOut.stayedHeading': 'You are still signed in',
  'loggedOut.stayedMessage': 'You chose to stay signed in to {productName}.',
  'loggedOut.stayedMessageClient':
    'You have been signed out of {client} but are still signed in to {productName}.',

  // Error page (views/error.ejs), chosen by status class
  'error.title.4xx': 'This request could not be completed',
  'error.message.4xx':
    'The link you followed may be out of date or incomplete. Go back to the app and try signing in again.',
  'error.title.404': 'Page not found',
  'error.message.404': 'There is nothing at this address. Check the link, or go back to the app.',
  'error.title.429': 'Too many attempts',
  'error.message.429': 'Please wait a moment, then try again.',
  'error.title.5xx': 'Something went wrong on our side',
  'error.message.5xx': 'This is not your fault. Please try again in a moment.',
  'error.reference': 'Reference: {requestId}',
  'error.referenceHint': 'If you contact support, please quote this reference.',
  'error.back': 'Go back',
  // Precedes a caller's error text that is in another language than the page (OAuth error
  // descriptions are English, RFC 6749 §5.2); the text itself is marked with its own `lang`.
  'error.detail': 'Technical details:',

  // Expired sign-in (views/error.ejs, rendered by the interaction routes): the interaction is
  // gone, so all we can offer is a way back to the app that started it.
  'expired.title': 'This sign-in has expired',
  'expired.message':
    'For your security, a sign-in page is only valid for a limited time. Nothing was sent. Start again from the application.',
  'expired.messageClient':
    'For your security, a sign-in page is only valid for a limited time. Nothing was sent. Start again from {client}.',
  'expired.backTo': 'Back to {client}',
  'expired.backToApp': 'Back to the app',

  // Issuer landing page (views/home.ejs)
  'home.title': 'Sign-in service',
  'home.heading': '{productName}',
  'home.intro':
    '{productName} signs people in to apps with OpenID Connect. There is nothing to do here yourself: open the app you want to use and choose to sign in.',
  'home.forDevelopers': 'For developers',
  'home.issuer': 'Issuer',
  'home.discovery': 'Discovery document',

  // Second factors (issue 14)
  ...mfaMessagesEn,
  // Sign-in page: the way to account recovery (issue 15 item 2)
  'login.forgotPassword': 'Forgot your password?',

  // Emails (views/email/message.*.ejs, src/ui/email-messages.ts), issue 15
  'email.greeting': 'Hello {name},',
  'email.footer':
    'This message was sent automatically by {productName}. Please do not reply to it.',
  'email.linkHint': 'If the button does not work, copy this address into your browser:',
  'email.passwordReset.subject': 'Reset your {productName} password',
  'email.passwordReset.body':
    'Someone asked to reset the password of your {productName} account {account}. To choose a new password, open the link below within {minutes} minutes. It works once.',
  'email.passwordReset.action': 'Choose a new password',
  'email.passwordReset.footer':
    'If you did not ask for this, you can ignore this email: your password stays as it is.',
  'email.passwordChanged.subject': 'Your {productName} password was changed',
  'email.passwordChanged.body':
    'The password of your account {account} was changed on {time}. Every other session was signed out.',
  'email.passwordChanged.footer':
    'If this was not you, reset your password now and tell your administrator.',
  'email.verification.subject': 'Confirm your email address for {productName}',
  'email.verification.body':
    'Please confirm that {email} is the address of your {productName} account {account}: open the link below within {hours} hours.',
  'email.verification.action': 'Confirm email address',
  'email.verification.footer': 'If you do not have this account, you can ignore this email.',
  'email.change.subject': 'Confirm your new email address for {productName}',
  'email.change.body':
    'You asked to use {email} for your {productName} account {account}. Confirm it by opening the link below within {hours} hours.',
  'email.change.action': 'Confirm new address',
  'email.change.footer': 'If you did not ask for this, ignore this email: nothing changes.',
  'email.changeNotice.subject': 'The email address of your {productName} account is being changed',
  'email.changeNotice.body':
    'Someone asked to change the email address of your account {account} to {email}. The change takes effect once it is confirmed from the new address.',
  'email.changeNotice.footer':
    'If this was not you, change your password now and tell your administrator.',
  'email.invitation.subject': 'You have been invited to {productName}',
  'email.invitation.body':
    'An account {account} was created for you on {productName}. Choose your password by opening the link below within {days} days.',
  'email.invitation.action': 'Choose your password',
  'email.invitation.footer': 'If you did not expect this, you can ignore this email.',
  'email.newDevice.subject': 'New sign-in to your {productName} account',
  'email.newDevice.body':
    'Your account {account} was just signed in to from a browser it had not used before.',
  'email.newDevice.time': 'Time',
  'email.newDevice.device': 'Device',
  'email.newDevice.address': 'Address',
  'email.newDevice.action': 'Review your sessions',
  'email.newDevice.footer':
    'If this was you, there is nothing to do. If not, sign that session out and change your password.',
  'email.deleted.subject': 'Your {productName} account was deleted',
  'email.deleted.body': 'Your account {account} and its data were deleted on {time}.',
  'email.deleted.footer': 'If this was not you, contact your administrator.',

  // Forgot and reset password (views/forgot-password.ejs, views/reset-password.ejs)
  'forgot.title': 'Forgot your password?',
  'forgot.heading': 'Forgot your password?',
  'forgot.intro':
    "Enter the email address of your account. We'll send you a link to choose a new password.",
  'forgot.email': 'Email address',
  'forgot.submit': 'Send link',
  'forgot.error.invalid': 'Enter an email address.',
  'forgot.sentTitle': 'Check your email',
  'forgot.sent':
    'If an account exists for that address, we have sent a link to it. The link works for {minutes} minutes, once.',
  'forgot.sentHint': 'No email? Check your spam folder, or ask again in a few minutes.',
  'reset.title': 'Choose a new password',
  'reset.heading': 'Choose a new password',
  'reset.intro': 'Choose a new password for {account}.',
  'reset.invitationIntro': 'Welcome, {account}. Choose the password for your new account.',
  'reset.password': 'New password',
  'reset.confirm': 'Repeat the new password',
  'reset.hint': 'At least {min} characters. A long passphrase is best.',
  'reset.submit': 'Save password',
  'reset.invalidTitle': 'This link does not work',
  'reset.invalid':
    'The link has expired, has already been used, or is incomplete. Ask for a new one.',
  'reset.askAgain': 'Ask for a new link',
  'reset.doneTitle': 'Password changed',
  'reset.done':
    'Your password has been changed, and every session that used the old one was signed out.',
  'reset.continue': 'Go to your account',

  // Email confirmation links (views/account-message.ejs)
  'verify.doneTitle': 'Email address confirmed',
  'verify.done': 'Thank you: {email} is now the confirmed address of your account.',
  'verify.invalidTitle': 'This link does not work',
  'verify.invalid':
    'The link has expired, has already been used, or is incomplete. Sign in to your account to ask for a new one.',

  // Account centre (views/account-*.ejs), issue 15 item 4
  'account.title': 'Your account',
  'account.nav': 'Account',
  'account.nav.profile': 'Profile',
  'account.nav.sessions': 'Sessions and devices',
  'account.nav.apps': 'Connected apps',
  'account.nav.activity': 'Security activity',
  'account.nav.data': 'Your data',
  'account.signedInAs': 'Signed in as {account}',
  'account.signOut': 'Sign out',
  'account.currentPassword': 'Current password',
  'account.currentPasswordHint': 'For your security, confirm this change with your password.',
  'account.error.wrongPassword': 'The current password is not correct.',
  'account.error.mismatch': 'The two new passwords are not the same.',
  'account.error.tooShort': 'The new password must be at least {min} characters.',
  'account.error.tooLong': 'The new password is too long.',
  'account.error.invalidEmail': 'Enter a valid email address.',
  'account.error.emailUnavailable': 'That email address cannot be used for this account.',
  'account.error.sameEmail': 'That is already your email address.',
  'account.error.invalidName': 'Enter a name of at most 200 characters.',
  'account.error.noEmail': 'Your account has no email address to confirm.',
  'account.error.tooMany': 'Too many requests. Please wait a while and try again.',
  'account.profile.heading': 'Your profile',
  'account.profile.username': 'Username',
  'account.profile.name': 'Name',
  'account.profile.save': 'Save profile',
  'account.profile.saved': 'Your profile has been saved.',
  'account.email.heading': 'Email address',
  'account.email.current': 'Current address',
  'account.email.none': 'none',
  'account.email.verified': 'confirmed',
  'account.email.unverified': 'not confirmed yet',
  'account.email.new': 'New email address',
  'account.email.submit': 'Change email address',
  'account.email.sent':
    'We have sent a confirmation link to {email}. The change takes effect once you open it.',
  'account.email.resend': 'Send the confirmation link again',
  'account.email.resent': 'A confirmation link has been sent to {email}.',
  'account.password.heading': 'Password',
  'account.password.new': 'New password',
  'account.password.confirm': 'Repeat the new password',
  'account.password.submit': 'Change password',
  'account.password.changed':
    'Your password has been changed, and every session was signed out, this one too. Sign in again with the new password.',
  'account.factors.heading': 'Second factors and passkeys',
  'account.factors.none':
    'You have no second factor yet. An app that asks for one offers to set up an authenticator app or a passkey when you sign in.',
  'account.factors.intro':
    'These protect your account besides your password. Removing one makes signing in less safe.',
  'account.factors.totp': 'Authenticator app',
  'account.factors.passkey': 'Passkey “{name}”',
  'account.factors.added': 'Added',
  'account.factors.lastUsed': 'Last used',
  'account.factors.never': 'Never',
  'account.factors.recoveryCodes': 'Recovery codes left',
  'account.factors.remove': 'Remove',
  'account.factors.removed': 'The second factor was removed.',
  'account.factors.notFound': 'That second factor is not on your account.',
  'account.sessions.heading': 'Sessions and devices',
  'account.sessions.intro':
    'Your account is signed in on these browsers. Sign out any you do not recognise.',
  'account.sessions.device': '{browser} on {os}',
  'account.sessions.unknownDevice': 'Unknown device',
  'account.sessions.thisDevice': 'This device',
  'account.sessions.signedIn': 'Signed in',
  'account.sessions.lastUsed': 'Last used',
  'account.sessions.address': 'Address',
  'account.sessions.apps': 'Apps',
  'account.sessions.noApps': 'none',
  'account.sessions.unknown': 'unknown',
  'account.sessions.signOutOne': 'Sign out this session',
  'account.sessions.signOutOthers': 'Sign out everywhere else',
  'account.sessions.endedOne': 'The session has been signed out.',
  'account.sessions.endedOthers': 'Every other session has been signed out.',
  'account.sessions.notFound': 'That session was not found. Nothing was changed.',
  'account.apps.heading': 'Connected apps',
  'account.apps.intro': 'You allowed these apps to access your account.',
  'account.apps.none': 'You have not allowed any app to access your account.',
  'account.apps.since': 'Allowed',
  'account.apps.access': 'Access',
  'account.apps.revoke': 'Remove access',
  'account.apps.revoked': 'Access for {client} has been removed, and its tokens no longer work.',
  'account.apps.notFound': 'That app was not found. Nothing was changed.',
  'account.activity.heading': 'Recent security activity',
  'account.activity.intro': 'Sign-ins and changes to your account, newest first.',
  'account.activity.none': 'Nothing recorded yet.',
  'account.activity.when': 'When',
  'account.activity.what': 'What',
  'account.activity.where': 'Address',
  'account.activity.app': 'App',
  'account.activity.other': 'Other activity ({type})',
  'account.data.exportHeading': 'Download your data',
  'account.data.exportIntro':
    'A JSON file with your profile, sessions, connected apps, consents and security activity (GDPR Articles 15 and 20).',
  'account.data.export': 'Download my data (JSON)',
  'account.data.deleteHeading': 'Delete your account',
  'account.data.deleteIntro':
    'This deletes your account and its sessions, app access and tokens, and signs you out of every app. It cannot be undone.',
  'account.data.deleteConfirm': 'I understand that my account will be deleted for good.',
  'account.data.deleteSubmit': 'Delete my account',
  'account.data.deleteNotAllowed':
    'To delete your account, contact the administrator of {productName}.',
  'account.data.deleteNeedsConfirm':
    'Tick the box to confirm that you want to delete your account.',
  'account.deletedTitle': 'Account deleted',
  'account.deleted': 'Your account has been deleted, and you have been signed out of every app.',

  // Security activity, as shown to the user (src/security/security-event-types.ts)
  'event.login.succeeded': 'Signed in',
  'event.login.failed': 'Failed sign-in',
  'event.login.locked': 'Sign-in locked after failed attempts',
  'event.logout': 'Signed out',
  'event.session.ended': 'A session was ended',
  'event.sessions.revoked': 'All sessions were signed out',
  'event.consent.given': 'Allowed an app',
  'event.consent.denied': 'Denied an app',
  'event.grant.revoked': "An app's access was removed",
  'event.password.reset_requested': 'Password reset requested',
  'event.password.reset': 'Password reset by email',
  'event.password.changed': 'Password changed',
  'event.email.verification_sent': 'Confirmation link sent',
  'event.email.verified': 'Email address confirmed',
  'event.email.change_requested': 'Email change requested',
  'event.email.changed': 'Email address changed',
  'event.profile.updated': 'Profile changed',
  'event.session.signed_out': 'A session was signed out from the account page',
  'event.device.new': 'Signed in from a new browser',
  'event.account.exported': 'Data downloaded',
} as const;

/** Every message key; the English catalogue defines the set. */
export type MessageKey = keyof typeof messagesEn;

/** A complete catalogue for one language: every key, plain-text values with `{name}` placeholders. */
export type MessageCatalogue = { readonly [K in MessageKey]: string };
