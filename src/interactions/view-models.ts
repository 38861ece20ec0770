/**
 * View-models: pure functions that turn what a route knows into exactly what a page shows.
 *
 * Templates only render (style guide habit 12): every string here is already translated plain
 * text, every URL already checked, and every decision (which error, which fields are invalid,
 * whether a logo may be shown) already made, so the templates hold no logic worth testing and
 * these functions hold all of it. Nothing here escapes HTML: the templates do, with `<%= %>`.
 */
import { createTranslator, isMessageKey } from '../i18n/translate.ts';
import type { Translate } from '../i18n/translate.ts';
import { selectCatalogue } from '../i18n/select-catalogue.ts';
import type { MessageCatalogue } from '../i18n/messages-en.ts';

/** Every page the renderer knows; each is `views/<name>.ejs` inside `views/_layout.ejs`. */
export const PAGE_NAMES = ['login', 'consent', 'logout', 'logged-out', 'error', 'home'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

/** Where the assets middleware serves `public/` (see src/http/serve-assets.ts). */
export const ASSETS_PATH = '/assets';

/** What `views/_layout.ejs` needs, shared by every page. */
export interface LayoutLocals {
  /** BCP 47 tag of the language the text is in, for `<html lang>` (WCAG 2.2 SC 3.1.1). */
  readonly lang: string;
  readonly page: PageName;
  readonly documentTitle: string;
  readonly productName: string;
  readonly productLogoSrc: string;
  readonly stylesheetHref: string;
  readonly skipToContent: string;
  readonly footer: string;
}

/** The app a user is signing in to, as shown on login and consent. */
export interface ClientBadge {
  readonly name: string;
  /** Only ever an `https:` URL (issue 7; RFC 9700 §4.2.4 keeps other third-party content off). */
  readonly logoSrc: string | undefined;
  /** First letter of the name, shown in place of a logo. */
  readonly monogram: string;
}

export interface HiddenForm {
  readonly action: string;
  readonly csrfToken: string;
}

export interface LoginPageLocals {
  readonly layout: LayoutLocals;
  readonly client: ClientBadge;
  readonly heading: string;
  readonly intro: string;
  /** Shown in a `role="alert"` element with this id. */
  readonly alert: { readonly id: string; readonly message: string } | undefined;
  /** When set, both fields get `aria-invalid="true"` and `aria-describedby` = this id. */
  readonly invalidFieldsDescribedBy: string | undefined;
  readonly form: HiddenForm & { readonly submitLabel: string };
  readonly username: { readonly label: string; readonly value: string };
  readonly password: { readonly label: string };
  readonly cancel: HiddenForm & { readonly id: string; readonly label: string };
}

/** One line of the consent list: the raw name (for tests and styling) and its plain words. */
export interface ConsentItem {
  readonly name: string;
  readonly description: string;
}

export interface ConsentPageLocals {
  readonly layout: LayoutLocals;
  readonly client: ClientBadge;
  readonly heading: string;
  readonly signedInAs: string;
  readonly scopesHeading: string;
  readonly scopes: readonly ConsentItem[];
  readonly claimsHeading: string;
  readonly claims: readonly ConsentItem[];
  readonly trustNote: string;
  readonly form: HiddenForm;
  readonly allowLabel: string;
  readonly denyLabel: string;
}

export interface LogoutPageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly intro: string;
  /** oidc-provider's own hidden form; the template outputs it raw (see views/logout.ejs). */
  readonly formHtml: string;
  /** The `id` oidc-provider gives that form; our buttons point at it with `form=`. */
  readonly formId: string;
  readonly confirmLabel: string;
  readonly stayLabel: string;
}

export interface LoggedOutPageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly message: string;
  readonly hint: string;
}

export interface ErrorPageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly message: string;
  readonly reference: string;
  readonly referenceHint: string;
  readonly back: { readonly href: string; readonly label: string } | undefined;
}

export interface HomePageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly intro: string;
  readonly forDevelopers: string;
  readonly issuerLabel: string;
  readonly issuer: string;
  readonly discoveryLabel: string;
  /** Same-origin path of the discovery document (OpenID Connect Discovery 1.0 §4). */
  readonly discoveryHref: string;
}

/** The locals type of each page, for the typed renderer. */
export interface PageLocals {
  login: LoginPageLocals;
  consent: ConsentPageLocals;
  logout: LogoutPageLocals;
  'logged-out': LoggedOutPageLocals;
  error: ErrorPageLocals;
  home: HomePageLocals;
}

/** What every view-model needs to build the layout. */
interface PageContext {
  /** Product name shown in the header, titles and footer (operator-configurable). */
  productName: string;
  /** The negotiated language; unsupported languages fall back to English. */
  lang: string;
}

/** The client as the routes know it (from oidc-provider's `client.clientName`, `logoUri`, `clientUri`). */
export interface ClientInput {
  name: string | undefined;
  logoUri?: string | undefined;
  /**
   * Accepted but deliberately not linked: RFC 9700 §4.2.4 says authorization pages should not carry
   * third-party links, and `client_uri` of a dynamically registered client is unverified.
   */
  uri?: string | undefined;
}

export type LoginError = 'invalid_credentials' | 'csrf' | 'missing_fields';

export interface LoginPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  client: ClientInput;
  /** Re-filled after an error; the password never is. */
  username?: string | undefined;
  error?: LoginError | undefined;
}

export interface ConsentPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  client: ClientInput;
  /** Requested scopes not yet granted (oidc-provider's `missingOIDCScope` and resource scopes). */
  scopes: readonly string[];
  /** Requested claims not yet granted (oidc-provider's `missingOIDCClaims`). */
  claims: readonly string[];
  accountName: string;
}

export interface LogoutPageInput extends PageContext {
  formHtml: string;
  clientName?: string | undefined;
}

export interface LoggedOutPageInput extends PageContext {
  clientName?: string | undefined;
}

export interface ErrorPageInput extends PageContext {
  status: number;
  title?: string | undefined;
  /** Shown for 4xx only; 5xx always get the catalogue's generic text (ASVS 16.5.1). */
  message?: string | undefined;
  requestId: string;
  /** A same-origin path (`/…`); anything else is dropped so the page cannot link off-site (RFC 9700 §4.11.1). */
  backUrl?: string | undefined;
}

export interface HomePageInput extends PageContext {
  issuer: string;
}

/** oidc-provider 9 names its RP-initiated logout form this (lib/actions/end_session.js). */
export const OIDC_PROVIDER_LOGOUT_FORM_ID = 'op.logoutForm';

const LOGIN_ERROR_ID = 'login-error';
const LOGIN_CANCEL_FORM_ID = 'login-cancel';
/** Caller text on the error page is cut to one line of this length, so a stack can never show. */
const MAX_ERROR_TEXT = 300;

/**
 * Claims each standard scope already asks for (OpenID Connect Core 1.0 §5.4). A claim covered by a
 * requested scope is not listed again on the consent page.
 */
const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: ['sub'],
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

/** Protocol claims that say nothing about the person (OpenID Connect Core 1.0 §2), never listed. */
const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'sub',
  'sid',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
]);

interface Localised {
  t: Translate;
  messages: MessageCatalogue;
  lang: string;
}

function localise(lang: string): Localised {
  const selected = selectCatalogue(lang);
  return {
    t: createTranslator(selected.messages),
    messages: selected.messages,
    lang: selected.lang,
  };
}

function layoutFor(
  page: PageName,
  title: string,
  context: PageContext,
  l: Localised,
): LayoutLocals {
  const productName = context.productName;
  return {
    lang: l.lang,
    page,
    documentTitle: l.t('layout.documentTitle', { page: title, productName }),
    productName,
    productLogoSrc: `${ASSETS_PATH}/logo.svg`,
    stylesheetHref: `${ASSETS_PATH}/portcullis.css`,
    skipToContent: l.t('layout.skipToContent'),
    footer: l.t('layout.footer', { productName }),
  };
}

function clientName(name: string | undefined, t: Translate): string {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? t('client.unnamed') : trimmed;
}

/**
 * The client's logo URL, or nothing. Only `https:` is allowed (issue 7): `http:` would be mixed
 * content and `javascript:`/`data:` have no business in an `<img>` on a sign-in page. URLs with
 * credentials are dropped too.
 */
export function safeLogoSrc(logoUri: string | undefined): string | undefined {
  if (logoUri === undefined || !/^https:/i.test(logoUri.trim())) return undefined;
  let url: URL;
  try {
    url = new URL(logoUri.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

function clientBadge(client: ClientInput, t: Translate): ClientBadge {
  const name = clientName(client.name, t);
  // Array.from splits by code point, so a name starting with an emoji or a non-BMP letter keeps it whole.
  const monogram = (Array.from(name)[0] ?? '').toLocaleUpperCase();
  return { name, logoSrc: safeLogoSrc(client.logoUri), monogram };
}

function interactionPath(uid: string, action: 'login' | 'abort' | 'consent'): string {
  return `/interaction/${encodeURIComponent(uid)}/${action}`;
}

export function loginPage(input: LoginPageInput): LoginPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const alert =
    input.error === undefined
      ? undefined
      : { id: LOGIN_ERROR_ID, message: t(`login.error.${input.error}`) };
  // A stale CSRF token says nothing about what was typed, so only credential errors mark the fields.
  const fieldsInvalid = input.error === 'invalid_credentials' || input.error === 'missing_fields';
  return {
    layout: layoutFor('login', t('login.title'), input, l),
    client,
    heading: t('login.heading'),
    intro: t('login.intro', { client: client.name }),
    alert,
    invalidFieldsDescribedBy: fieldsInvalid ? LOGIN_ERROR_ID : undefined,
    form: {
      action: interactionPath(input.uid, 'login'),
      csrfToken: input.csrfToken,
      submitLabel: t('login.submit'),
    },
    username: { label: t('login.username'), value: input.username ?? '' },
    password: { label: t('login.password') },
    cancel: {
      id: LOGIN_CANCEL_FORM_ID,
      action: interactionPath(input.uid, 'abort'),
      csrfToken: input.csrfToken,
      label: t('login.cancel'),
    },
  };
}

/** Plain words for a scope; unknown scopes are named as they are, in quotes. */
export function describeScope(scope: string, l: Pick<Localised, 't' | 'messages'>): string {
  const key = `scope.${scope}`;
  return isMessageKey(l.messages, key) ? l.t(key) : l.t('scope.unknown', { scope });
}

/** Plain words for a claim; unknown claims are named as they are, in quotes. */
export function describeClaim(claim: string, l: Pick<Localised, 't' | 'messages'>): string {
  const key = `claim.${claim}`;
  return isMessageKey(l.messages, key) ? l.t(key) : l.t('claim.unknown', { claim });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))];
}

export function consentPage(input: ConsentPageInput): ConsentPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const scopes = unique(input.scopes);
  const covered = new Set(scopes.flatMap((scope) => SCOPE_CLAIMS[scope] ?? []));
  const claims = unique(input.claims).filter(
    (claim) => !covered.has(claim) && !PROTOCOL_CLAIMS.has(claim),
  );
  return {
    layout: layoutFor('consent', t('consent.title'), input, l),
    client,
    heading: t('consent.heading', { client: client.name }),
    signedInAs: t('consent.signedInAs', { account: input.accountName }),
    scopesHeading: t('consent.scopesHeading', { client: client.name }),
    scopes: scopes.map((name) => ({ name, description: describeScope(name, l) })),
    claimsHeading: t('consent.claimsHeading', { client: client.name }),
    claims: claims.map((name) => ({ name, description: describeClaim(name, l) })),
    trustNote: t('consent.trustNote', { client: client.name }),
    form: { action: interactionPath(input.uid, 'consent'), csrfToken: input.csrfToken },
    allowLabel: t('consent.allow'),
    denyLabel: t('consent.deny'),
  };
}

function optionalName(name: string | undefined): string | undefined {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? undefined : trimmed;
}

export function logoutPage(input: LogoutPageInput): LogoutPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = optionalName(input.clientName);
  const productName = input.productName;
  return {
    layout: layoutFor('logout', t('logout.title'), input, l),
    heading: t('logout.heading'),
    intro:
      client === undefined
        ? t('logout.intro', { productName })
        : t('logout.introClient', { client, productName }),
    formHtml: input.formHtml,
    formId: OIDC_PROVIDER_LOGOUT_FORM_ID,
    confirmLabel: t('logout.confirm'),
    stayLabel: t('logout.stay'),
  };
}

export function loggedOutPage(input: LoggedOutPageInput): LoggedOutPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = optionalName(input.clientName);
  return {
    layout: layoutFor('logged-out', t('loggedOut.title'), input, l),
    heading: t('loggedOut.heading'),
    message:
      client === undefined ? t('loggedOut.message') : t('loggedOut.messageClient', { client }),
    hint: t('loggedOut.hint'),
  };
}

/** Only a same-origin path: `/x`, never `//host`, `/\host`, a scheme or control characters. */
export function safeBackHref(backUrl: string | undefined): string | undefined {
  if (backUrl === undefined) return undefined;
  // WHATWG URL parsing treats `\` like `/` and drops tabs and newlines, so `/\evil.example` and
  // `/\t/evil.example` would become protocol-relative: refuse both (RFC 9700 §4.11.1).
  if (!/^\/(?![/\\])/.test(backUrl) || /[\\\p{Cc}]/u.test(backUrl)) return undefined;
  return backUrl;
}

/** First line of caller text, bounded, or nothing: a stack trace can never reach the page. */
function oneLine(text: string | undefined): string | undefined {
  const first = text?.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (first === '') return undefined;
  return first.length > MAX_ERROR_TEXT ? `${first.slice(0, MAX_ERROR_TEXT - 1)}…` : first;
}

export function errorPage(input: ErrorPageInput): ErrorPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const status = input.status;
  // Anything that is not a 4xx (5xx, or a status that makes no sense here) is treated as ours.
  const serverSide = !(Number.isInteger(status) && status >= 400 && status < 500);
  let defaults: { title: string; message: string };
  if (serverSide) defaults = { title: t('error.title.5xx'), message: t('error.message.5xx') };
  else if (status === 404)
    defaults = { title: t('error.title.404'), message: t('error.message.404') };
  else if (status === 429)
    defaults = { title: t('error.title.429'), message: t('error.message.429') };
  else defaults = { title: t('error.title.4xx'), message: t('error.message.4xx') };
  // 5xx are hidden (Koa's `expose` rule, ASVS 16.5.1): whatever the caller passes, the page shows
  // only the catalogue's text and the request id, so an internal message can never leak.
  const heading = serverSide ? defaults.title : (oneLine(input.title) ?? defaults.title);
  const message = serverSide ? defaults.message : (oneLine(input.message) ?? defaults.message);
  const backHref = safeBackHref(input.backUrl);
  return {
    layout: layoutFor('error', heading, input, l),
    heading,
    message,
    reference: t('error.reference', { requestId: input.requestId }),
    referenceHint: t('error.referenceHint'),
    back: backHref === undefined ? undefined : { href: backHref, label: t('error.back') },
  };
}

/** The discovery document's path under the issuer (OpenID Connect Discovery 1.0 §4). */
function discoveryPath(issuer: string): string {
  let path = '';
  try {
    path = new URL(issuer).pathname.replace(/\/+$/, '');
  } catch {
    // An unparsable issuer cannot happen after config validation; the root path is the safe guess.
  }
  return `${path}/.well-known/openid-configuration`;
}

export function homePage(input: HomePageInput): HomePageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const productName = input.productName;
  return {
    layout: layoutFor('home', t('home.title'), input, l),
    heading: t('home.heading', { productName }),
    intro: t('home.intro', { productName }),
    forDevelopers: t('home.forDevelopers'),
    issuerLabel: t('home.issuer'),
    issuer: input.issuer,
    discoveryLabel: t('home.discovery'),
    discoveryHref: discoveryPath(input.issuer),
  };
}
