import type { mfaMessagesEn } from './messages-mfa-en.ts';

/** German strings of the second-factor pages (see messages-mfa-en.ts). */
export const mfaMessagesDe: { readonly [K in keyof typeof mfaMessagesEn]: string } = {
  'mfa.title': 'Bestätigen Sie, dass Sie es sind',
  'mfa.heading': 'Bestätigen Sie, dass Sie es sind',
  'mfa.intro':
    'Ihr Konto ist mit einem zweiten Schritt geschützt. Bestätigen Sie die Anmeldung für {client}.',
  'mfa.totp.label': 'Code aus Ihrer Authenticator-App',
  'mfa.totp.hint': 'Der 6-stellige Code, den Ihre App gerade zeigt.',
  'mfa.totp.submit': 'Prüfen',
  'mfa.recovery.heading': 'Gerät verloren?',
  'mfa.recovery.label': 'Wiederherstellungscode',
  'mfa.recovery.hint':
    'Einer der Codes, die Sie beim Einrichten der App gespeichert haben. Jeder gilt einmal.',
  'mfa.recovery.submit': 'Wiederherstellungscode verwenden',
  'mfa.recovery.low':
    'Nur noch {count} Wiederherstellungscodes übrig. Erstellen Sie nach der Anmeldung neue.',
  'mfa.passkey.heading': 'Mit Passkey anmelden',
  'mfa.passkey.submit': 'Passkey verwenden',
  'mfa.passkey.needsScript': 'Passkeys brauchen JavaScript in diesem Browser.',
  'mfa.phishingResistant': '{client} verlangt einen Passkey oder Sicherheitsschlüssel.',
  'mfa.error.invalid_code':
    'Dieser Code hat nicht funktioniert. Prüfen Sie ihn und versuchen Sie es erneut.',
  'mfa.error.missing_code': 'Geben Sie den Code ein.',
  'mfa.cancel': 'Abbrechen',

  'mfaEnrol.title': 'Anmeldung in zwei Schritten einrichten',
  'mfaEnrol.heading': 'Anmeldung in zwei Schritten einrichten',
  'mfaEnrol.intro':
    '{client} verlangt bei der Anmeldung einen zweiten Schritt. Scannen Sie diesen Code mit einer Authenticator-App (zum Beispiel FreeOTP, Aegis oder Ihrem Passwortmanager).',
  'mfaEnrol.qrLabel': 'QR-Code zum Scannen mit Ihrer Authenticator-App',
  'mfaEnrol.secretLabel': 'Scannen geht nicht? Geben Sie diesen Schlüssel in der App ein:',
  'mfaEnrol.codeLabel': 'Code aus der App',
  'mfaEnrol.codeHint': 'Geben Sie den 6-stelligen Code ein, um die Einrichtung zu bestätigen.',
  'mfaEnrol.submit': 'Bestätigen',

  'mfaCodes.title': 'Ihre Wiederherstellungscodes',
  'mfaCodes.heading': 'Speichern Sie Ihre Wiederherstellungscodes',
  'mfaCodes.intro':
    'Wenn Sie Ihr Gerät verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Bewahren Sie sie sicher auf, etwa in einem Passwortmanager. Sie werden nur jetzt angezeigt.',
  'mfaCodes.listLabel': 'Wiederherstellungscodes',
  'mfaCodes.continue': 'Gespeichert, weiter',
  'mfaCodes.lowHeading': 'Nur noch wenige Wiederherstellungscodes',
  'mfaCodes.lowIntro':
    'Sie haben noch {count} unbenutzte Wiederherstellungscodes. Erstellen Sie jetzt neue und bewahren Sie sie sicher auf; die alten gelten dann nicht mehr.',
  'mfaCodes.regenerate': 'Neue Wiederherstellungscodes erstellen',
  'mfaCodes.later': 'Jetzt nicht, weiter',

  'passkey.signIn.heading': 'Oder ohne Passwort anmelden',
  'passkey.signIn.submit': 'Mit Passkey anmelden',
  'passkey.register.heading': 'Oder stattdessen einen Passkey verwenden',
  'passkey.register.name': 'Name für diesen Passkey',
  'passkey.register.defaultName': 'Mein Passkey',
  'passkey.register.submit': 'Passkey erstellen',
  'passkey.failed':
    'Der Passkey hat nicht funktioniert. Versuchen Sie es erneut oder melden Sie sich anders an.',
};
