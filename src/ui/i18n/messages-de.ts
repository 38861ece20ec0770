import type { MessageCatalogue } from './messages-en.ts';
import { mfaMessagesDe } from './messages-mfa-de.ts';

/**
 * The German message catalogue. Typed `MessageCatalogue`, so a key missing here is a type error;
 * test/unit/language-choice.test.ts checks that no key is extra and every placeholder matches
 * the English text.
 *
 * Written in the formal "Sie", as German sign-in pages of banks, public services and most
 * business software are. German declines what English does not: `{client}` is a name chosen by
 * the app, or the fallback "diese App", so sentences put it where nominative and accusative are
 * the same form (never after "mit", "zu" or "von", which need the dative "dieser App").
 */
export const messagesDe: MessageCatalogue = {
  // Layout (views/_layout.ejs)
  'layout.documentTitle': '{page} – {productName}',
  'layout.skipToContent': 'Zum Hauptinhalt springen',
  'layout.footer': 'Sichere Anmeldung über {productName}',
  'layout.languageNav': 'Sprache',
  'layout.footerNav': 'Über diesen Dienst',

  'client.unnamed': 'diese App',

  // Login (views/login.ejs)
  'login.title': 'Anmelden',
  'login.heading': 'Anmelden',
  'login.intro': 'Melden Sie sich an, um {client} zu nutzen',
  'login.username': 'Benutzername',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.cancel': 'Abbrechen',
  // Deliberately one text for every failure (see messages-en.ts).
  'login.error.invalid_credentials': 'Benutzername oder Passwort ist falsch.',
  'login.error.missing_fields': 'Bitte geben Sie Ihren Benutzernamen und Ihr Passwort ein.',
  'login.error.csrf':
    'Diese Seite war abgelaufen, deshalb wurde nichts gesendet. Bitte melden Sie sich erneut an.',

  // Consent (views/consent.ejs)
  'consent.title': 'Zugriff erlauben',
  'consent.heading': 'Zugriff für {client} erlauben?',
  'consent.signedInAs': 'Angemeldet als {account}',
  'consent.scopesHeading': 'Wenn Sie zustimmen, erhält {client} Zugriff auf:',
  'consent.claimsHeading': 'Außerdem sieht {client}:',
  // One per API the app asks to use (RFC 8707 resource indicators).
  'consent.resourceHeading': '{client} erhält Zugriff auf {api}:',
  'consent.trustNote':
    'Erlauben Sie den Zugriff nur, wenn Sie {client} für vertrauenswürdig halten. Ihr Passwort wird dabei nie weitergegeben.',
  'consent.allow': 'Erlauben',
  'consent.deny': 'Ablehnen',

  // Scopes, completing "… erhält … Zugriff auf:" (OpenID Connect Core 1.0 §5.4 and §11)
  'scope.openid': 'Ihre Identität, um Sie anzumelden',
  'scope.profile': 'Ihren Namen und Ihre Profilangaben',
  'scope.email': 'Ihre E-Mail-Adresse',
  'scope.address': 'Ihre Postanschrift',
  'scope.phone': 'Ihre Telefonnummer',
  'scope.offline_access':
    'Ihr Konto auch dann, wenn Sie die App gerade nicht verwenden (dauerhafter Zugriff)',
  'scope.unknown': 'Den Bereich ‚{scope}‘',
  // Issue 16: Rollen und Gruppen, soweit diese App sie kennen darf.
  'scope.roles': 'Ihre Rollen (was Sie tun dürfen), soweit diese App sie kennen darf',
  'scope.groups': 'Die Gruppen, zu denen Sie gehören, soweit diese App sie kennen darf',

  // Claims, completing "Außerdem sieht …:" (OpenID Connect Core 1.0 §5.1)
  'claim.sub': 'Eine Kennung Ihres Kontos',
  'claim.name': 'Ihren vollständigen Namen',
  'claim.given_name': 'Ihren Vornamen',
  'claim.family_name': 'Ihren Nachnamen',
  'claim.middle_name': 'Ihren zweiten Vornamen',
  'claim.nickname': 'Ihren Spitznamen',
  'claim.preferred_username': 'Ihren Benutzernamen',
  'claim.profile': 'Die Adresse Ihrer Profilseite',
  'claim.picture': 'Ihr Profilbild',
  'claim.website': 'Ihre Website',
  'claim.email': 'Ihre E-Mail-Adresse',
  'claim.email_verified': 'Ob Ihre E-Mail-Adresse bestätigt ist',
  'claim.gender': 'Ihr Geschlecht',
  'claim.birthdate': 'Ihr Geburtsdatum',
  'claim.zoneinfo': 'Ihre Zeitzone',
  'claim.locale': 'Ihre Sprache und Region',
  'claim.phone_number': 'Ihre Telefonnummer',
  'claim.phone_number_verified': 'Ob Ihre Telefonnummer bestätigt ist',
  'claim.address': 'Ihre Postanschrift',
  'claim.updated_at': 'Wann Ihr Profil zuletzt geändert wurde',
  'claim.unknown': 'Ihre Angabe ‚{claim}‘',
  'claim.roles': 'Ihre Rollen',
  'claim.groups': 'Ihre Gruppen',

  // Logout confirmation (views/logout.ejs); `{client}` here is always a registered name.
  'logout.title': 'Abmelden',
  'logout.heading': 'Abmelden?',
  'logout.intro': 'Möchten Sie sich von {productName} abmelden?',
  'logout.introClient':
    '{client} möchte Sie abmelden. Möchten Sie sich von {productName} abmelden?',
  'logout.confirm': 'Abmelden',
  'logout.stay': 'Angemeldet bleiben',

  // After logout (views/logged-out.ejs)
  'loggedOut.title': 'Abgemeldet',
  'loggedOut.heading': 'Abgemeldet',
  'loggedOut.message': 'Sie wurden abgemeldet.',
  'loggedOut.messageClient': 'Sie wurden von {client} abgemeldet.',
  'loggedOut.hint': 'Sie können dieses Fenster jetzt schließen.',
  'loggedOut.stayedTitle': 'Weiterhin angemeldet',
  'loggedOut.stayedHeading': 'Sie sind weiterhin angemeldet',
  'loggedOut.stayedMessage': 'Sie haben sich entschieden, bei {productName} angemeldet zu bleiben.',
  'loggedOut.stayedMessageClient':
    'Sie wurden von {client} abgemeldet, sind aber weiterhin bei {productName} angemeldet.',

  // Error page (views/error.ejs)
  'error.title.4xx': 'Diese Anfrage konnte nicht ausgeführt werden',
  'error.message.4xx':
    'Der Link, dem Sie gefolgt sind, ist vielleicht veraltet oder unvollständig. Kehren Sie zur App zurück und melden Sie sich erneut an.',
  'error.title.404': 'Seite nicht gefunden',
  'error.message.404':
    'Unter dieser Adresse gibt es nichts. Prüfen Sie den Link oder kehren Sie zur App zurück.',
  'error.title.429': 'Zu viele Versuche',
  'error.message.429': 'Bitte warten Sie einen Moment und versuchen Sie es dann erneut.',
  'error.title.5xx': 'Bei uns ist etwas schiefgelaufen',
  'error.message.5xx': 'Das liegt nicht an Ihnen. Bitte versuchen Sie es gleich noch einmal.',
  'error.reference': 'Vorgangsnummer: {requestId}',
  'error.referenceHint':
    'Wenn Sie sich an den Support wenden, nennen Sie bitte diese Vorgangsnummer.',
  'error.back': 'Zurück',
  'error.detail': 'Technische Details:',

  // Expired sign-in
  'expired.title': 'Diese Anmeldung ist abgelaufen',
  'expired.message':
    'Aus Sicherheitsgründen ist eine Anmeldeseite nur begrenzte Zeit gültig. Es wurde nichts gesendet. Beginnen Sie die Anmeldung bitte erneut in der App.',
  'expired.messageClient':
    'Aus Sicherheitsgründen ist eine Anmeldeseite nur begrenzte Zeit gültig. Es wurde nichts gesendet. Beginnen Sie die Anmeldung bitte erneut über {client}.',
  'expired.backTo': '{client} öffnen',
  'expired.backToApp': 'Zurück zur App',

  // Issuer landing page (views/home.ejs)
  'home.title': 'Anmeldedienst',
  'home.heading': '{productName}',
  'home.intro':
    '{productName} meldet Personen per OpenID Connect bei Apps an. Hier müssen Sie selbst nichts tun: Öffnen Sie die App, die Sie verwenden möchten, und wählen Sie dort „Anmelden“.',
  'home.forDevelopers': 'Für Entwickler',
  'home.issuer': 'Aussteller (Issuer)',
  'home.discovery': 'Discovery-Dokument',

  // Second factors (issue 14)
  ...mfaMessagesDe,
  // Sign-in page: the way to account recovery (issue 15 item 2)
  'login.forgotPassword': 'Passwort vergessen?',

  // Emails (views/email/message.*.ejs, src/ui/email-messages.ts), issue 15
  'email.greeting': 'Guten Tag {name},',
  'email.footer':
    'Diese Nachricht wurde automatisch von {productName} versendet. Bitte antworten Sie nicht darauf.',
  'email.linkHint':
    'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  'email.passwordReset.subject': 'Ihr Passwort für {productName} zurücksetzen',
  'email.passwordReset.body':
    'Jemand hat angefragt, das Passwort Ihres Kontos {account} bei {productName} zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie den Link unten innerhalb von {minutes} Minuten. Er funktioniert einmal.',
  'email.passwordReset.action': 'Neues Passwort wählen',
  'email.passwordReset.footer':
    'Falls Sie das nicht angefragt haben, können Sie diese E-Mail ignorieren: Ihr Passwort bleibt unverändert.',
  'email.passwordChanged.subject': 'Ihr Passwort für {productName} wurde geändert',
  'email.passwordChanged.body':
    'Das Passwort Ihres Kontos {account} wurde am {time} geändert. Alle anderen Sitzungen wurden abgemeldet.',
  'email.passwordChanged.footer':
    'Falls Sie das nicht waren, setzen Sie Ihr Passwort jetzt zurück und informieren Sie Ihre Administration.',
  'email.verification.subject': 'Bestätigen Sie Ihre E-Mail-Adresse für {productName}',
  'email.verification.body':
    'Bitte bestätigen Sie, dass {email} die Adresse Ihres Kontos {account} bei {productName} ist: Öffnen Sie den Link unten innerhalb von {hours} Stunden.',
  'email.verification.action': 'E-Mail-Adresse bestätigen',
  'email.verification.footer':
    'Falls Sie dieses Konto nicht haben, können Sie diese E-Mail ignorieren.',
  'email.change.subject': 'Bestätigen Sie Ihre neue E-Mail-Adresse für {productName}',
  'email.change.body':
    'Sie möchten {email} für Ihr Konto {account} bei {productName} verwenden. Bestätigen Sie das, indem Sie den Link unten innerhalb von {hours} Stunden öffnen.',
  'email.change.action': 'Neue Adresse bestätigen',
  'email.change.footer':
    'Falls Sie das nicht angefragt haben, ignorieren Sie diese E-Mail: Es ändert sich nichts.',
  'email.changeNotice.subject': 'Die E-Mail-Adresse Ihres Kontos bei {productName} wird geändert',
  'email.changeNotice.body':
    'Jemand hat angefragt, die E-Mail-Adresse Ihres Kontos {account} in {email} zu ändern. Die Änderung wird wirksam, sobald sie von der neuen Adresse aus bestätigt wird.',
  'email.changeNotice.footer':
    'Falls Sie das nicht waren, ändern Sie jetzt Ihr Passwort und informieren Sie Ihre Administration.',
  'email.invitation.subject': 'Sie wurden zu {productName} eingeladen',
  'email.invitation.body':
    'Für Sie wurde das Konto {account} bei {productName} angelegt. Wählen Sie Ihr Passwort, indem Sie den Link unten innerhalb von {days} Tagen öffnen.',
  'email.invitation.action': 'Passwort wählen',
  'email.invitation.footer':
    'Falls Sie das nicht erwartet haben, können Sie diese E-Mail ignorieren.',
  'email.newDevice.subject': 'Neue Anmeldung bei Ihrem Konto bei {productName}',
  'email.newDevice.body':
    'Bei Ihrem Konto {account} hat sich gerade jemand in einem Browser angemeldet, der bisher nicht verwendet wurde.',
  'email.newDevice.time': 'Zeit',
  'email.newDevice.device': 'Gerät',
  'email.newDevice.address': 'Adresse',
  'email.newDevice.action': 'Sitzungen ansehen',
  'email.newDevice.footer':
    'Falls Sie das waren, ist nichts zu tun. Falls nicht, melden Sie diese Sitzung ab und ändern Sie Ihr Passwort.',
  'email.deleted.subject': 'Ihr Konto bei {productName} wurde gelöscht',
  'email.deleted.body': 'Ihr Konto {account} und seine Daten wurden am {time} gelöscht.',
  'email.deleted.footer': 'Falls Sie das nicht waren, wenden Sie sich an Ihre Administration.',

  // Forgot and reset password (views/forgot-password.ejs, views/reset-password.ejs)
  'forgot.title': 'Passwort vergessen?',
  'forgot.heading': 'Passwort vergessen?',
  'forgot.intro':
    'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.',
  'forgot.email': 'E-Mail-Adresse',
  'forgot.submit': 'Link senden',
  'forgot.error.invalid': 'Geben Sie eine E-Mail-Adresse ein.',
  'forgot.sentTitle': 'Prüfen Sie Ihre E-Mails',
  'forgot.sent':
    'Falls zu dieser Adresse ein Konto besteht, haben wir einen Link dorthin gesendet. Er funktioniert {minutes} Minuten lang und nur einmal.',
  'forgot.sentHint':
    'Keine E-Mail erhalten? Sehen Sie im Spam-Ordner nach, oder fragen Sie in ein paar Minuten erneut an.',
  'reset.title': 'Neues Passwort wählen',
  'reset.heading': 'Neues Passwort wählen',
  'reset.intro': 'Wählen Sie ein neues Passwort für {account}.',
  'reset.invitationIntro': 'Willkommen, {account}. Wählen Sie das Passwort für Ihr neues Konto.',
  'reset.password': 'Neues Passwort',
  'reset.confirm': 'Neues Passwort wiederholen',
  'reset.hint': 'Mindestens {min} Zeichen. Am besten ist eine lange Passphrase.',
  'reset.submit': 'Passwort speichern',
  'reset.invalidTitle': 'Dieser Link funktioniert nicht',
  'reset.invalid':
    'Der Link ist abgelaufen, wurde schon verwendet oder ist unvollständig. Fordern Sie einen neuen an.',
  'reset.askAgain': 'Neuen Link anfordern',
  'reset.doneTitle': 'Passwort geändert',
  'reset.done':
    'Ihr Passwort wurde geändert, und jede Sitzung, die das alte verwendet hat, wurde abgemeldet.',
  'reset.continue': 'Zu Ihrem Konto',

  // Email confirmation links (views/account-message.ejs)
  'verify.doneTitle': 'E-Mail-Adresse bestätigt',
  'verify.done': 'Vielen Dank: {email} ist jetzt die bestätigte Adresse Ihres Kontos.',
  'verify.invalidTitle': 'Dieser Link funktioniert nicht',
  'verify.invalid':
    'Der Link ist abgelaufen, wurde schon verwendet oder ist unvollständig. Melden Sie sich bei Ihrem Konto an, um einen neuen anzufordern.',

  // Account centre (views/account-*.ejs), issue 15 item 4
  'account.title': 'Ihr Konto',
  'account.nav': 'Konto',
  'account.nav.profile': 'Profil',
  'account.nav.sessions': 'Sitzungen und Geräte',
  'account.nav.apps': 'Verbundene Apps',
  'account.nav.activity': 'Sicherheitsaktivität',
  'account.nav.data': 'Ihre Daten',
  'account.signedInAs': 'Angemeldet als {account}',
  'account.signOut': 'Abmelden',
  'account.currentPassword': 'Aktuelles Passwort',
  'account.currentPasswordHint':
    'Bestätigen Sie diese Änderung zu Ihrer Sicherheit mit Ihrem Passwort.',
  'account.error.wrongPassword': 'Das aktuelle Passwort ist nicht korrekt.',
  'account.error.mismatch': 'Die beiden neuen Passwörter stimmen nicht überein.',
  'account.error.tooShort': 'Das neue Passwort muss mindestens {min} Zeichen lang sein.',
  'account.error.tooLong': 'Das neue Passwort ist zu lang.',
  'account.error.invalidEmail': 'Geben Sie eine gültige E-Mail-Adresse ein.',
  'account.error.emailUnavailable':
    'Diese E-Mail-Adresse kann für dieses Konto nicht verwendet werden.',
  'account.error.sameEmail': 'Das ist bereits Ihre E-Mail-Adresse.',
  'account.error.invalidName': 'Geben Sie einen Namen mit höchstens 200 Zeichen ein.',
  'account.error.noEmail': 'Ihr Konto hat keine E-Mail-Adresse, die bestätigt werden könnte.',
  'account.error.tooMany':
    'Zu viele Anfragen. Bitte warten Sie eine Weile und versuchen Sie es erneut.',
  'account.profile.heading': 'Ihr Profil',
  'account.profile.username': 'Benutzername',
  'account.profile.name': 'Vollständiger Name',
  'account.profile.save': 'Profil speichern',
  'account.profile.saved': 'Ihr Profil wurde gespeichert.',
  'account.email.heading': 'E-Mail-Adresse',
  'account.email.current': 'Aktuelle Adresse',
  'account.email.none': 'keine',
  'account.email.verified': 'bestätigt',
  'account.email.unverified': 'noch nicht bestätigt',
  'account.email.new': 'Neue E-Mail-Adresse',
  'account.email.submit': 'E-Mail-Adresse ändern',
  'account.email.sent':
    'Wir haben einen Bestätigungslink an {email} gesendet. Die Änderung wird wirksam, sobald Sie ihn öffnen.',
  'account.email.resend': 'Bestätigungslink erneut senden',
  'account.email.resent': 'Ein Bestätigungslink wurde an {email} gesendet.',
  'account.password.heading': 'Passwort',
  'account.password.new': 'Neues Passwort',
  'account.password.confirm': 'Neues Passwort wiederholen',
  'account.password.submit': 'Passwort ändern',
  'account.password.changed':
    'Ihr Passwort wurde geändert, und alle Sitzungen wurden abgemeldet, auch diese. Melden Sie sich mit dem neuen Passwort erneut an.',
  'account.factors.heading': 'Zweite Faktoren und Passkeys',
  'account.factors.none':
    'Sie haben noch keinen zweiten Faktor. Eine App, die einen verlangt, bietet bei der Anmeldung an, eine Authenticator-App oder einen Passkey einzurichten.',
  'account.factors.intro':
    'Diese schützen Ihr Konto zusätzlich zum Passwort. Wer einen entfernt, macht die Anmeldung weniger sicher.',
  'account.factors.totp': 'Authenticator-App',
  'account.factors.passkey': 'Passkey „{name}“',
  'account.factors.added': 'Hinzugefügt',
  'account.factors.lastUsed': 'Zuletzt verwendet',
  'account.factors.never': 'Nie',
  'account.factors.recoveryCodes': 'Verbleibende Wiederherstellungscodes',
  'account.factors.remove': 'Entfernen',
  'account.factors.removed': 'Der zweite Faktor wurde entfernt.',
  'account.factors.notFound': 'Dieser zweite Faktor gehört nicht zu Ihrem Konto.',
  'account.sessions.heading': 'Sitzungen und Geräte',
  'account.sessions.intro':
    'In diesen Browsern ist Ihr Konto angemeldet. Melden Sie alle ab, die Sie nicht kennen.',
  'account.sessions.device': '{browser} unter {os}',
  'account.sessions.unknownDevice': 'Unbekanntes Gerät',
  'account.sessions.thisDevice': 'Dieses Gerät',
  'account.sessions.signedIn': 'Angemeldet',
  'account.sessions.lastUsed': 'Zuletzt verwendet',
  'account.sessions.address': 'Adresse',
  'account.sessions.apps': 'Angemeldete Apps',
  'account.sessions.noApps': 'keine',
  'account.sessions.unknown': 'unbekannt',
  'account.sessions.signOutOne': 'Diese Sitzung abmelden',
  'account.sessions.signOutOthers': 'Überall sonst abmelden',
  'account.sessions.endedOne': 'Die Sitzung wurde abgemeldet.',
  'account.sessions.endedOthers': 'Alle anderen Sitzungen wurden abgemeldet.',
  'account.sessions.notFound': 'Diese Sitzung wurde nicht gefunden. Es wurde nichts geändert.',
  'account.apps.heading': 'Verbundene Apps',
  'account.apps.intro': 'Diesen Apps haben Sie den Zugriff auf Ihr Konto erlaubt.',
  'account.apps.none': 'Sie haben noch keiner App den Zugriff auf Ihr Konto erlaubt.',
  'account.apps.since': 'Erlaubt',
  'account.apps.access': 'Zugriff',
  'account.apps.revoke': 'Zugriff entfernen',
  'account.apps.revoked':
    'Der Zugriff für {client} wurde entfernt; seine Tokens funktionieren nicht mehr.',
  'account.apps.notFound': 'Diese App wurde nicht gefunden. Es wurde nichts geändert.',
  'account.activity.heading': 'Letzte Sicherheitsaktivität',
  'account.activity.intro': 'Anmeldungen und Änderungen an Ihrem Konto, die neuesten zuerst.',
  'account.activity.none': 'Noch nichts aufgezeichnet.',
  'account.activity.when': 'Wann',
  'account.activity.what': 'Was',
  'account.activity.where': 'Adresse',
  'account.activity.app': 'Anwendung',
  'account.activity.other': 'Sonstige Aktivität ({type})',
  'account.data.exportHeading': 'Ihre Daten herunterladen',
  'account.data.exportIntro':
    'Eine JSON-Datei mit Ihrem Profil, Ihren Sitzungen, verbundenen Apps, Einwilligungen und Ihrer Sicherheitsaktivität (DSGVO Art. 15 und 20).',
  'account.data.export': 'Meine Daten herunterladen (JSON)',
  'account.data.deleteHeading': 'Ihr Konto löschen',
  'account.data.deleteIntro':
    'Damit werden Ihr Konto, seine Sitzungen, App-Zugriffe und Tokens gelöscht, und Sie werden bei allen Apps abgemeldet. Das lässt sich nicht rückgängig machen.',
  'account.data.deleteConfirm': 'Mir ist bewusst, dass mein Konto endgültig gelöscht wird.',
  'account.data.deleteSubmit': 'Mein Konto löschen',
  'account.data.deleteNotAllowed':
    'Um Ihr Konto zu löschen, wenden Sie sich an die Administration von {productName}.',
  'account.data.deleteNeedsConfirm':
    'Setzen Sie das Häkchen, um zu bestätigen, dass Sie Ihr Konto löschen möchten.',
  'account.deletedTitle': 'Konto gelöscht',
  'account.deleted': 'Ihr Konto wurde gelöscht, und Sie wurden bei allen Apps abgemeldet.',

  // Security activity, as shown to the user (src/security/security-event-types.ts)
  'event.login.succeeded': 'Angemeldet',
  'event.login.failed': 'Fehlgeschlagene Anmeldung',
  'event.login.locked': 'Anmeldung nach Fehlversuchen gesperrt',
  'event.logout': 'Abgemeldet',
  'event.session.ended': 'Eine Sitzung wurde beendet',
  'event.sessions.revoked': 'Alle Sitzungen wurden abgemeldet',
  'event.consent.given': 'Einer App den Zugriff erlaubt',
  'event.consent.denied': 'Einer App den Zugriff verweigert',
  'event.grant.revoked': 'Der Zugriff einer App wurde entfernt',
  'event.password.reset_requested': 'Zurücksetzen des Passworts angefragt',
  'event.password.reset': 'Passwort per E-Mail zurückgesetzt',
  'event.password.changed': 'Passwort geändert',
  'event.email.verification_sent': 'Bestätigungslink gesendet',
  'event.email.verified': 'E-Mail-Adresse bestätigt',
  'event.email.change_requested': 'Änderung der E-Mail-Adresse angefragt',
  'event.email.changed': 'E-Mail-Adresse geändert',
  'event.profile.updated': 'Profil geändert',
  'event.session.signed_out': 'Eine Sitzung wurde auf der Kontoseite abgemeldet',
  'event.device.new': 'In einem neuen Browser angemeldet',
  'event.account.exported': 'Daten heruntergeladen',
};
