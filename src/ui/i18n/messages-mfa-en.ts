/**
 * English strings of the second-factor pages (issue 14), spread into messages-en.ts so the set of
 * keys stays one catalogue; kept apart so other pages' changes and these merge without conflicts.
 */
export const mfaMessagesEn = {
  // Second factor (views/mfa.ejs)
  'mfa.title': 'Confirm it is you',
  'mfa.heading': 'Confirm it is you',
  'mfa.intro': 'Your account is protected with a second step before you continue to {client}.',
  'mfa.totp.label': 'Code from your authenticator app',
  'mfa.totp.hint': 'The 6-digit code your app shows now.',
  'mfa.totp.submit': 'Verify',
  'mfa.recovery.heading': 'Lost your device?',
  'mfa.recovery.label': 'Recovery code',
  'mfa.recovery.hint': 'One of the codes you saved when you set up the app. Each works once.',
  'mfa.recovery.submit': 'Use recovery code',
  'mfa.recovery.low': 'Only {count} recovery codes are left. Get new ones after you sign in.',
  'mfa.passkey.heading': 'Use a passkey',
  'mfa.passkey.submit': 'Use a passkey',
  'mfa.passkey.needsScript': 'Passkeys need JavaScript in this browser.',
  'mfa.phishingResistant': '{client} asks for a passkey or security key.',
  // One text for a wrong, reused or locked code (ASVS 6.3.8).
  'mfa.error.invalid_code': 'That code did not work. Check it and try again.',
  'mfa.error.missing_code': 'Enter the code.',
  'mfa.cancel': 'Cancel',

  // TOTP enrolment (views/mfa-enrol.ejs)
  'mfaEnrol.title': 'Set up two-step sign-in',
  'mfaEnrol.heading': 'Set up two-step sign-in',
  'mfaEnrol.intro':
    '{client} asks for a second step when you sign in. Scan this code with an authenticator app (for example FreeOTP, Aegis, or your password manager).',
  'mfaEnrol.qrLabel': 'QR code to scan with your authenticator app',
  'mfaEnrol.secretLabel': 'Cannot scan it? Enter this key in the app:',
  'mfaEnrol.codeLabel': 'Code the app shows',
  'mfaEnrol.codeHint': 'Type the 6-digit code to confirm the app is set up.',
  'mfaEnrol.submit': 'Confirm',

  // Recovery codes (views/mfa-recovery-codes.ejs)
  'mfaCodes.title': 'Your recovery codes',
  'mfaCodes.heading': 'Save your recovery codes',
  'mfaCodes.intro':
    'If you lose your device, each of these codes lets you sign in once. Store them somewhere safe, such as a password manager. They are shown only now.',
  'mfaCodes.listLabel': 'Recovery codes',
  'mfaCodes.continue': 'I have saved them, continue',
  'mfaCodes.lowHeading': 'Few recovery codes left',
  'mfaCodes.lowIntro':
    'You have {count} unused recovery codes. Get new ones now and keep them safe; the old ones will stop working.',
  'mfaCodes.regenerate': 'Get new recovery codes',
  'mfaCodes.later': 'Not now, continue',

  // Passkeys (views/partials/passkey.ejs)
  'passkey.signIn.heading': 'Or sign in without a password',
  'passkey.signIn.submit': 'Sign in with a passkey',
  'passkey.register.heading': 'Or use a passkey instead',
  'passkey.register.name': 'Name for this passkey',
  'passkey.register.defaultName': 'My passkey',
  'passkey.register.submit': 'Create a passkey',
  'passkey.failed': 'The passkey did not work. Try again, or use another way to sign in.',
} as const;
