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
};
