/**
 * View-models: pure functions that turn what a route knows into exactly what a page shows.
 *
 * Templates only render (style guide habit 12): every string here is already translated plain
 * text, every URL already checked, and every decision (which error, which fields are invalid,
 * whether a logo may be shown) already made, so the templates hold no logic worth testing and
 * these functions hold all of it. Nothing here escapes HTML: the templates do, with `<%= %>`.
 */
import { LANGUAGE_PARAM } from './i18n/choose-language.ts';
import { createTranslator, isMessageKey } from './i18n/translate.ts';
import type { Translate } from './i18n/translate.ts';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES, selectCatalogue } from './i18n/select-catalogue.ts';
import type { MessageCatalogue } from './i18n/messages-en.ts';
import { SCOPE_CLAIMS } from '../oidc/scopes.ts';

/** Claims a standard scope already asks for (OIDC Core §5.4), so consent does not list them twice. */
function claimsOfScope(scope: string): readonly string[] {
  return Object.hasOwn(SCOPE_CLAIMS, scope) ? SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS] : [];
}

/** Every page the renderer knows; each is `views/<name>.ejs` inside `views/_layout.ejs`. */
export const PAGE_NAMES = ['login', 'consent', 'logout', 'logged-out', 'error', 'home'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

/**
 * The version of the template contract: the locals each template receives (the `*Locals`
 * interfaces below and `SiteLocals`), the template file names and the partials. Custom templates
 * (`ui.templatesDir`) declare the version they were written for in `portcullis-templates.json`,
 * and the server refuses to start when it differs (docs/templates.md).
 *
 * Bump it whenever a change could break a custom template: a local removed, renamed or changing
 * type or meaning, a page or partial renamed. Adding a local is compatible and needs no bump.
 */
export const TEMPLATE_CONTRACT_VERSION = 1;

/** Where the assets middleware serves `public/` (see src/ui/serve-assets.ts). */
export const ASSETS_PATH = '/assets';

/** One entry of the language switcher. */
export interface LanguageLink {
  /** BCP 47 tag, for the link's `lang` and `hreflang`. */
  readonly lang: string;
  /** The language's name in that language ("Deutsch"), so anyone can find their own. */
  readonly name: string;
  /** This page again in that language: a same-origin path ending in `?…lang=<tag>`. */
  readonly href: string;
  /** The page is already in this language (rendered as text with `aria-current`). */
  readonly current: boolean;
}

export interface LanguageSwitcher {
  /** Accessible name of the `<nav>` holding the links. */
  readonly label: string;
  readonly links: readonly LanguageLink[];
}

/** What `views/_layout.ejs` needs from the page, shared by every page. */
export interface LayoutLocals {
  /** BCP 47 tag of the language the text is in, for `<html lang>` (WCAG 2.2 SC 3.1.1). */
  readonly lang: string;
  readonly page: PageName;
  readonly documentTitle: string;
  readonly productName: string;
  readonly skipToContent: string;
  readonly footer: string;
  /** Accessible name of the `<nav>` holding `site.footerLinks`. */
  readonly footerNavLabel: string;
  /**
   * Nothing when the page has no address a link could fetch again (an error answering a POST;
   * login and consent link their interaction's GET address instead).
   */
  readonly languages: LanguageSwitcher | undefined;
}

/** An operator's footer link (`ui.footerLinks`). */
export interface FooterLink {
  readonly label: string;
  /** A same-origin path or an `https:` URL. */
  readonly href: string;
}

/**
 * What every template may read as `locals.site`: the same on every page, from configuration
 * (`ui.*`), set once when the renderer is built rather than by each view-model.
 */
export interface SiteLocals {
  /** The product logo in the header (and the favicon): a same-origin path or an `https:` URL. */
  readonly logoSrc: string;
  /** Stylesheets in order: `portcullis.css`, then the theme generated from `ui.primaryColor`. */
  readonly stylesheetHrefs: readonly string[];
  readonly footerLinks: readonly FooterLink[];
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
  /**
   * Sent back as a hidden `client_id` field, so that if the sign-in has expired by the time the
   * form is posted the expired page can still offer a way back to the app.
   */
  readonly clientId: string | undefined;
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

/**
 * One API (resource server, RFC 8707) the app asks to use on the user's behalf, with the scopes
 * it asks for there: what the user grants by allowing (ASVS 10.7.2).
 */
export interface ConsentResource {
  /** The resource indicator (an absolute URI), for tests and styling. */
  readonly identifier: string;
  /** The API's registered name, or its identifier when it has none. */
  readonly name: string;
  /** "{client} will be able to use {api} to:". */
  readonly heading: string;
  readonly scopes: readonly ConsentItem[];
}

export interface ConsentPageLocals {
  readonly layout: LayoutLocals;
  readonly client: ClientBadge;
  readonly heading: string;
  readonly signedInAs: string;
  readonly scopesHeading: string;
  readonly scopes: readonly ConsentItem[];
  /** Requested APIs and their scopes; empty when the request names none. */
  readonly resources: readonly ConsentResource[];
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
  /**
   * The caller's own text when it is not in the page's language (an OAuth `error_description`
   * on a German page): shown apart, marked with its `lang` (WCAG 2.2 SC 3.1.2).
   */
  readonly detail:
    { readonly label: string; readonly text: string; readonly lang: string } | undefined;
  /** A same-origin link back (`backUrl`). */
  readonly back: { readonly href: string; readonly label: string } | undefined;
  /** A link to the app's registered https start address (expired sign-ins only). */
  readonly app: { readonly href: string; readonly label: string } | undefined;
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
  /**
   * This page's own address (path and query, without `lang`) for the language switcher's links;
   * nothing when the page answers a POST. Anything but a same-origin path is ignored.
   */
  here?: string | undefined;
}

/** The client as the routes know it (from oidc-provider's `client.clientName`, `logoUri`, `clientUri`). */
export interface ClientInput {
  /** The `client_id`; carried in the forms so an expired sign-in can still name the app. */
  id?: string | undefined;
  name: string | undefined;
  logoUri?: string | undefined;
  /**
   * `client_uri`. Not linked on login or consent (RFC 9700 §4.2.4: authorization pages should not
   * carry third-party links); only the expired page links it, when the app registered no
   * `initiate_login_uri`, and only over https.
   */
  uri?: string | undefined;
  /** `initiate_login_uri` (OIDC Registration §2: https, starts a sign-in at the app). */
  initiateLoginUri?: string | undefined;
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
  /** Requested OpenID Connect scopes not yet granted (oidc-provider's `missingOIDCScope`). */
  scopes: readonly string[];
  /**
   * Requested API scopes not yet granted, per API (oidc-provider's `missingResourceScopes`), with
   * what the resource-server registry says about the API, when it knows it.
   */
  resources?: readonly ConsentResourceInput[] | undefined;
  /** Requested claims not yet granted (oidc-provider's `missingOIDCClaims`). */
  claims: readonly string[];
  accountName: string;
}

/** What the resource-server registry says about an API (its name, its scopes' descriptions). */
export interface ResourceDescription {
  readonly name: string;
  readonly scopes: readonly { readonly name: string; readonly description: string }[];
}

export interface ConsentResourceInput {
  /** The resource indicator the request named (RFC 8707 §2). */
  indicator: string;
  /** The scopes of this API the user has not granted yet. */
  scopes: readonly string[];
  /** Nothing when the registry does not know the API (removed since the request started). */
  description?: ResourceDescription | undefined;
}

export interface LogoutPageInput extends PageContext {
  formHtml: string;
  clientName?: string | undefined;
}

export interface LoggedOutPageInput extends PageContext {
  clientName?: string | undefined;
  /** The user chose "Stay signed in": their session with us still exists. */
  stillSignedIn?: boolean | undefined;
}

export interface ErrorPageInput extends PageContext {
  status: number;
  title?: string | undefined;
  /** Shown for 4xx only; 5xx always get the catalogue's generic text (ASVS 16.5.1). */
  message?: string | undefined;
  /**
   * The language `title` and `message` are written in: English unless said otherwise, as OAuth
   * error descriptions (RFC 6749 §5.2) and our error catalogue are. When the page is in another
   * language, the page's own text is shown and the caller's becomes `detail`.
   */
  messageLang?: string | undefined;
  requestId: string;
  /** A same-origin path (`/…`); anything else is dropped so the page cannot link off-site (RFC 9700 §4.11.1). */
  backUrl?: string | undefined;
}

export interface HomePageInput extends PageContext {
  issuer: string;
}

export interface ExpiredPageInput extends PageContext {
  requestId: string;
  /** The app the expired sign-in was for, when the posted form named a registered one. */
  client?: ClientInput | undefined;
}

export interface SiteInput {
  /** `ui.logoUrl`; our own logo when absent. */
  logoUrl?: string | undefined;
  /** `ui.footerLinks`. */
  footerLinks?: readonly { readonly label: string; readonly url: string }[] | undefined;
  /** Where the generated theme stylesheet is served (src/ui/theme-stylesheet.ts). */
  themeStylesheetHref?: string | undefined;
}

/** oidc-provider 9 names its RP-initiated logout form this (lib/actions/end_session.js). */
export const OIDC_PROVIDER_LOGOUT_FORM_ID = 'op.logoutForm';

const LOGIN_ERROR_ID = 'login-error';
const LOGIN_CANCEL_FORM_ID = 'login-cancel';
/** The language of caller text on the error page unless the caller says otherwise. */
const DEFAULT_MESSAGE_LANG = 'en';
/** Caller text on the error page is cut to one line of this length, so a stack can never show. */
const MAX_ERROR_TEXT = 300;


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

/**
 * Links to this page in every supported language. `here` must already be a same-origin path
 * (it comes from the request, so a request for `//evil.example` must not become a link there:
 * RFC 9700 §4.11.1); only the `lang` parameter is set, the rest of the query is kept so that,
 * say, a logout confirmation keeps its `post_logout_redirect_uri`.
 */
function languageSwitcher(here: string | undefined, l: Localised): LanguageSwitcher | undefined {
  const base = safeBackHref(here);
  if (base === undefined) return undefined;
  const at = base.indexOf('?');
  const path = at === -1 ? base : base.slice(0, at);
  const links = SUPPORTED_LANGUAGES.map((lang) => {
    const params = new URLSearchParams(at === -1 ? '' : base.slice(at + 1));
    params.set(LANGUAGE_PARAM, lang);
    return {
      lang,
      name: LANGUAGE_NAMES[lang] ?? lang,
      href: `${path}?${params.toString()}`,
      current: lang === l.lang,
    };
  });
  return { label: l.t('layout.languageNav'), links };
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
    skipToContent: l.t('layout.skipToContent'),
    footer: l.t('layout.footer', { productName }),
    footerNavLabel: l.t('layout.footerNav'),
    languages: languageSwitcher(context.here, l),
  };
}

/**
 * What every page shows from configuration (`ui.*`): the logo, our stylesheet then the theme's,
 * and the footer links. Only same-origin paths and https URLs get through (the configuration
 * schema already insists; this keeps the renderer safe on its own). Without input: our logo and
 * stylesheet, no theme, no links.
 */
export function siteLocals(input: SiteInput = {}): SiteLocals {
  const footerLinks = (input.footerLinks ?? []).flatMap((link) => {
    const href = safeBackHref(link.url) ?? safeHttpsUrl(link.url);
    const label = link.label.trim();
    return href === undefined || label === '' ? [] : [{ label, href }];
  });
  const logo =
    input.logoUrl === undefined
      ? undefined
      : (safeBackHref(input.logoUrl) ?? safeHttpsUrl(input.logoUrl));
  return {
    logoSrc: logo ?? `${ASSETS_PATH}/logo.svg`,
    stylesheetHrefs: [
      `${ASSETS_PATH}/portcullis.css`,
      ...(input.themeStylesheetHref === undefined ? [] : [input.themeStylesheetHref]),
    ],
    footerLinks,
  };
}

function clientName(name: string | undefined, t: Translate): string {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? t('client.unnamed') : trimmed;
}

/**
 * An absolute `https:` URL without credentials, normalised, or nothing: `http:` would be mixed
 * content or a downgrade, and `javascript:`/`data:` have no business on a sign-in page.
 */
export function safeHttpsUrl(value: string | undefined): string | undefined {
  if (value === undefined || !/^https:/i.test(value.trim())) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

/** The client's logo URL, or nothing: only `https:` (issue 7, see `safeHttpsUrl`). */
export function safeLogoSrc(logoUri: string | undefined): string | undefined {
  return safeHttpsUrl(logoUri);
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
      clientId: input.client.id,
      submitLabel: t('login.submit'),
    },
    username: { label: t('login.username'), value: input.username ?? '' },
    password: { label: t('login.password') },
    cancel: {
      id: LOGIN_CANCEL_FORM_ID,
      action: interactionPath(input.uid, 'abort'),
      csrfToken: input.csrfToken,
      clientId: input.client.id,
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

/**
 * An API as the consent page lists it: its registered name and each requested scope in the
 * words its registration gives. A scope without a description, or an API the registry does not
 * know, is named as it is (the template escapes it), never left out: the user must see all they
 * grant (ASVS 10.7.2).
 */
function consentResource(input: ConsentResourceInput, client: string, l: Localised): ConsentResource | undefined {
  const scopes = unique(input.scopes);
  if (scopes.length === 0) return undefined;
  const identifier = input.indicator;
  const name = optionalName(input.description?.name) ?? identifier;
  const described = new Map<string, string>();
  for (const scope of input.description?.scopes ?? []) {
    const text = scope.description.trim();
    if (text !== '') described.set(scope.name, text);
  }
  return {
    identifier,
    name,
    heading: l.t('consent.resourceHeading', { client, api: name }),
    scopes: scopes.map((scope) => ({
      name: scope,
      description: described.get(scope) ?? l.t('scope.unknown', { scope }),
    })),
  };
}

export function consentPage(input: ConsentPageInput): ConsentPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const scopes = unique(input.scopes);
  const covered = new Set(scopes.flatMap((scope) => claimsOfScope(scope)));
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
    resources: (input.resources ?? []).flatMap((resource) => consentResource(resource, client.name, l) ?? []),
    claimsHeading: t('consent.claimsHeading', { client: client.name }),
    claims: claims.map((name) => ({ name, description: describeClaim(name, l) })),
    trustNote: t('consent.trustNote', { client: client.name }),
    form: {
      action: interactionPath(input.uid, 'consent'),
      csrfToken: input.csrfToken,
      clientId: input.client.id,
    },
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
  if (input.stillSignedIn) {
    // oidc-provider sends both answers of the logout confirmation to this page; when the user
    // stayed, saying "signed out" would be false (and would teach people to ignore it).
    const productName = input.productName;
    return {
      layout: layoutFor('logged-out', t('loggedOut.stayedTitle'), input, l),
      heading: t('loggedOut.stayedHeading'),
      message:
        client === undefined
          ? t('loggedOut.stayedMessage', { productName })
          : t('loggedOut.stayedMessageClient', { client, productName }),
      hint: t('loggedOut.hint'),
    };
  }
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
  const callerTitle = serverSide ? undefined : oneLine(input.title);
  const callerMessage = serverSide ? undefined : oneLine(input.message);
  // Caller text in another language than the page is not mixed into its sentences: the page
  // speaks its own language and the caller's words follow as marked technical details.
  const callerLang = selectCatalogue(input.messageLang ?? DEFAULT_MESSAGE_LANG).lang;
  const sameLanguage = callerLang === l.lang;
  const heading = (sameLanguage ? callerTitle : undefined) ?? defaults.title;
  const message = (sameLanguage ? callerMessage : undefined) ?? defaults.message;
  const backHref = safeBackHref(input.backUrl);
  return {
    layout: layoutFor('error', heading, input, l),
    heading,
    message,
    reference: t('error.reference', { requestId: input.requestId }),
    referenceHint: t('error.referenceHint'),
    detail:
      sameLanguage || callerMessage === undefined
        ? undefined
        : { label: t('error.detail'), text: callerMessage, lang: callerLang },
    back: backHref === undefined ? undefined : { href: backHref, label: t('error.back') },
    app: undefined,
  };
}

/**
 * The page for a sign-in that expired (or whose cookie is gone): says what happened and that
 * nothing was sent, and offers a way back to the app. The link goes only to the app's registered
 * `initiate_login_uri`, else its `client_uri`, and only over https; without either (or without
 * knowing the app) the page says where to start again instead.
 */
export function expiredPage(input: ExpiredPageInput): ErrorPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const name = optionalName(input.client?.name);
  const href = safeHttpsUrl(input.client?.initiateLoginUri) ?? safeHttpsUrl(input.client?.uri);
  const heading = t('expired.title');
  return {
    layout: layoutFor('error', heading, input, l),
    heading,
    message:
      name === undefined ? t('expired.message') : t('expired.messageClient', { client: name }),
    reference: t('error.reference', { requestId: input.requestId }),
    referenceHint: t('error.referenceHint'),
    detail: undefined,
    back: undefined,
    app:
      href === undefined
        ? undefined
        : {
            href,
            label:
              name === undefined ? t('expired.backToApp') : t('expired.backTo', { client: name }),
          },
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
