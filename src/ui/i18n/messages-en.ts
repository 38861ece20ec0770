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
} as const;

/** Every message key; the English catalogue defines the set. */
export type MessageKey = keyof typeof messagesEn;

/** A complete catalogue for one language: every key, plain-text values with `{name}` placeholders. */
export type MessageCatalogue = { readonly [K in MessageKey]: string };
