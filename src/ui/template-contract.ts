/**
 * The template contract: every page name and the locals each template receives, as the built-in
 * views and operators' custom templates (`ui.templatesDir`, docs/templates.md) read them.
 *
 * Templates only render (style guide habit 12): every string in these locals is already
 * translated plain text, every URL already checked, and every decision (which error, which
 * fields are invalid, whether a logo may be shown) already made by the page builders next to
 * this file (`*-page.ts`), so the templates hold no logic worth testing. Nothing here escapes
 * HTML: the templates do, with `<%= %>`.
 */

/** Every page the renderer knows; each is `views/<name>.ejs` inside `views/_layout.ejs`. */
export const PAGE_NAMES = [
  'login',
  'consent',
  'logout',
  'logged-out',
  'error',
  'home',
  // Second factors (issue 14): the sign-in step, TOTP enrolment, recovery codes.
  'mfa',
  'mfa-enrol',
  'mfa-recovery-codes',
  // Account lifecycle and account centre (issue 15; src/ui/account-pages.ts)
  'forgot-password',
  'reset-password',
  'account-message',
  'account-profile',
  'account-sessions',
  'account-apps',
  'account-activity',
  'account-data',
] as const;
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
  /** "Sign in with a passkey" (issue 14); absent when passkeys are off. */
  readonly passkey?: PasskeyForm | undefined;
  /** The username field's autocomplete: `username`, or `username webauthn` with passkeys. */
  readonly usernameAutocomplete?: string | undefined;
  /** "Forgot your password?" (`/forgot-password`); nothing when the account centre is off. */
  readonly forgotPassword: { readonly href: string; readonly label: string } | undefined;
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

/** An alert or notice at the top of a form page. */
export interface PageNotice {
  readonly id: string;
  /** `error`: `role="alert"`; `success`: `role="status"`. */
  readonly kind: 'error' | 'success';
  readonly message: string;
}

/** A form of the account pages: where it posts and its CSRF token (a hidden `csrf` field). */
export interface PageForm {
  readonly action: string;
  readonly csrfToken: string;
  readonly submitLabel: string;
}

/** One input of a form; `describedBy` names the hint or error it has. */
export interface FormField {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly invalid: boolean;
  readonly describedBy: string | undefined;
}

/** A link shown as text and address. */
export interface PageLink {
  readonly href: string;
  readonly label: string;
}

export interface ForgotPasswordPageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly intro: string;
  readonly notice: PageNotice | undefined;
  readonly form: PageForm;
  readonly email: FormField;
}

export interface ResetPasswordPageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly intro: string;
  readonly notice: PageNotice | undefined;
  /** The form posts the link's token back in a hidden `token` field. */
  readonly form: PageForm & { readonly token: string };
  readonly hint: { readonly id: string; readonly text: string };
  readonly password: FormField;
  readonly confirm: FormField;
}

/** A page that only tells something: a link sent, a password changed, a link that failed. */
export interface AccountMessagePageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly link: PageLink | undefined;
  /** A button that posts the link's token back (confirmations are POSTs, not link prefetches). */
  readonly form: (PageForm & { readonly token: string }) | undefined;
}

/** The frame of every account-centre page: who is signed in and the section navigation. */
export interface AccountFrame {
  readonly signedInAs: string;
  readonly nav: {
    readonly label: string;
    readonly items: readonly (PageLink & { readonly current: boolean })[];
  };
  readonly signOut: PageLink;
  readonly heading: string;
  readonly notice: PageNotice | undefined;
}

/** A current-password field, present when the action needs recent authentication. */
export interface ReauthField {
  readonly field: FormField;
  readonly hint: { readonly id: string; readonly text: string };
}

export interface AccountProfilePageLocals {
  readonly layout: LayoutLocals;
  readonly frame: AccountFrame;
  readonly profile: {
    readonly usernameLabel: string;
    readonly username: string;
    readonly form: PageForm;
    readonly name: FormField;
  };
  readonly email: {
    readonly heading: string;
    readonly currentLabel: string;
    readonly current: string;
    readonly status: string;
    /** "Send the confirmation link again", shown while the address is unconfirmed. */
    readonly resend: PageForm | undefined;
    readonly form: PageForm;
    readonly newEmail: FormField;
    readonly reauth: ReauthField | undefined;
  };
  readonly password: {
    readonly heading: string;
    readonly form: PageForm;
    readonly current: FormField;
    readonly newPassword: FormField;
    readonly confirm: FormField;
    readonly hint: { readonly id: string; readonly text: string };
  };
  /** Second factors and passkeys (issue 14): what the user holds, each removable. */
  readonly factors: {
    readonly heading: string;
    /** A sentence: none enrolled yet (and how to get one), or what the list holds. */
    readonly text: string;
    readonly items: readonly AccountFactorItem[];
  };
}

/** One second factor on the account page: an authenticator app or a named passkey. */
export interface AccountFactorItem {
  readonly id: string;
  readonly label: string;
  readonly details: readonly { readonly label: string; readonly value: string }[];
  /** The hidden `factor` value names what to remove: `totp` or `passkey:<id>`. */
  readonly remove: PageForm & { readonly factor: string; readonly reauth: ReauthField | undefined };
}

export interface AccountSessionItem {
  readonly id: string;
  readonly device: string;
  readonly thisDevice: string | undefined;
  readonly details: readonly { readonly label: string; readonly value: string }[];
  /** Nothing for this device's own session (signing it out is "Sign out"). */
  readonly signOut: (PageForm & { readonly sessionId: string }) | undefined;
}

export interface AccountSessionsPageLocals {
  readonly layout: LayoutLocals;
  readonly frame: AccountFrame;
  readonly intro: string;
  readonly sessions: readonly AccountSessionItem[];
  /** Shown when another session exists. */
  readonly signOutOthers: PageForm | undefined;
}

export interface AccountAppItem {
  readonly clientId: string;
  readonly name: string;
  readonly details: readonly { readonly label: string; readonly value: string }[];
  readonly scopes: readonly ConsentItem[];
  readonly revoke: PageForm & { readonly grantId: string };
}

export interface AccountAppsPageLocals {
  readonly layout: LayoutLocals;
  readonly frame: AccountFrame;
  readonly intro: string;
  readonly empty: string | undefined;
  readonly apps: readonly AccountAppItem[];
  readonly scopesLabel: string;
}

export interface AccountActivityPageLocals {
  readonly layout: LayoutLocals;
  readonly frame: AccountFrame;
  readonly intro: string;
  readonly empty: string | undefined;
  readonly columns: {
    readonly when: string;
    readonly what: string;
    readonly where: string;
    readonly app: string;
  };
  readonly rows: readonly {
    readonly when: string;
    /** ISO 8601, for `<time datetime>`. */
    readonly datetime: string;
    readonly what: string;
    readonly where: string;
    readonly app: string;
  }[];
}

export interface AccountDataPageLocals {
  readonly layout: LayoutLocals;
  readonly frame: AccountFrame;
  readonly exportHeading: string;
  readonly exportIntro: string;
  readonly exportForm: PageForm;
  readonly deleteHeading: string;
  readonly deleteIntro: string;
  /** Nothing when users may not delete themselves (`account.selfDelete`); `notAllowed` says so. */
  readonly deleteForm:
    | (PageForm & {
        readonly reauth: ReauthField | undefined;
        readonly confirm: FormField;
      })
    | undefined;
  readonly notAllowed: string | undefined;
}

/** The locals type of each page, for the typed renderer. */
export interface PageLocals {
  login: LoginPageLocals;
  consent: ConsentPageLocals;
  logout: LogoutPageLocals;
  'logged-out': LoggedOutPageLocals;
  error: ErrorPageLocals;
  home: HomePageLocals;
  mfa: MfaPageLocals;
  'mfa-enrol': MfaEnrolPageLocals;
  'mfa-recovery-codes': MfaRecoveryCodesPageLocals;
  'forgot-password': ForgotPasswordPageLocals;
  'reset-password': ResetPasswordPageLocals;
  'account-message': AccountMessagePageLocals;
  'account-profile': AccountProfilePageLocals;
  'account-sessions': AccountSessionsPageLocals;
  'account-apps': AccountAppsPageLocals;
  'account-activity': AccountActivityPageLocals;
  'account-data': AccountDataPageLocals;
}

/**
 * Every email the server sends (issue 15). Each is rendered from `views/email/message.text.ejs`
 * and `views/email/message.html.ejs` (a custom folder may hold `email/<name>.text.ejs` and
 * `email/<name>.html.ejs`, or its own `email/message.*.ejs`), with `EmailLocals`.
 */
export const EMAIL_NAMES = [
  'password-reset',
  'password-changed',
  'email-verification',
  'email-change',
  'email-change-notice',
  'invitation',
  'new-device',
  'account-deleted',
] as const;
export type EmailName = (typeof EMAIL_NAMES)[number];

export interface EmailLocals {
  readonly name: EmailName;
  /** BCP 47 tag of the message's language. */
  readonly lang: string;
  readonly productName: string;
  readonly subject: string;
  readonly greeting: string;
  readonly paragraphs: readonly string[];
  /** Label/value lines (a new sign-in's time, device and address). */
  readonly details: readonly { readonly label: string; readonly value: string }[];
  /** The link to follow (a button in HTML, the bare address in text), if any. */
  readonly action: PageLink | undefined;
  /** "If the button does not work, copy this address…". */
  readonly linkHint: string;
  /** Why the reader got this and what to do if it was not them. */
  readonly note: string;
  readonly footer: string;
}

/** oidc-provider 9 names its RP-initiated logout form this (lib/actions/end_session.js). */
export const OIDC_PROVIDER_LOGOUT_FORM_ID = 'op.logoutForm';

/** A code field of the second-factor pages (one-time code or recovery code). */
export interface CodeField {
  readonly id: string;
  readonly name: string;
  readonly label: string;
  readonly hint: string;
  /** `one-time-code` (TOTP, WHATWG autofill) or `off`. */
  readonly autocomplete: string;
  /** `numeric` for TOTP codes, `text` for recovery codes. */
  readonly inputmode: string;
  readonly pattern: string | undefined;
  readonly maxlength: number;
}

export interface MfaPageLocals {
  readonly layout: LayoutLocals;
  readonly client: ClientBadge;
  readonly heading: string;
  readonly intro: string;
  readonly alert: { readonly id: string; readonly message: string } | undefined;
  /** When set, the code fields get `aria-invalid="true"` and `aria-describedby` = this id. */
  readonly invalidFieldsDescribedBy: string | undefined;
  /** A warning shown as a note (few recovery codes left). */
  readonly warning: string | undefined;
  /** The TOTP form; absent when the request needs a passkey or the user has no TOTP. */
  readonly totp:
    (HiddenForm & { readonly field: CodeField; readonly submitLabel: string }) | undefined;
  readonly recovery:
    | (HiddenForm & {
        readonly heading: string;
        readonly field: CodeField;
        readonly submitLabel: string;
      })
    | undefined;
  /** The passkey button (views/partials/passkey.ejs); absent without passkeys. */
  readonly passkey: PasskeyForm | undefined;
  readonly cancel: HiddenForm & { readonly id: string; readonly label: string };
}

export interface MfaEnrolPageLocals {
  readonly layout: LayoutLocals;
  readonly client: ClientBadge;
  readonly heading: string;
  readonly intro: string;
  readonly alert: { readonly id: string; readonly message: string } | undefined;
  readonly invalidFieldsDescribedBy: string | undefined;
  /** The QR code: an SVG document generated on the server from the otpauth URI (no user text). */
  readonly qr: { readonly label: string; readonly svg: string };
  readonly secret: { readonly label: string; readonly value: string };
  readonly form: HiddenForm & { readonly field: CodeField; readonly submitLabel: string };
  /** Registering a passkey instead of the app (needs script); absent without passkeys. */
  readonly passkey: PasskeyForm | undefined;
  readonly cancel: HiddenForm & { readonly id: string; readonly label: string };
}

export interface MfaRecoveryCodesPageLocals {
  readonly layout: LayoutLocals;
  readonly heading: string;
  readonly intro: string;
  readonly listLabel: string;
  /** Empty on the "few codes left" page, which offers `regenerate` instead. */
  readonly codes: readonly string[];
  readonly form: HiddenForm & { readonly pass: string; readonly submitLabel: string };
  /** "Get new codes" (the old ones stop working); only on the "few codes left" page. */
  readonly regenerate:
    (HiddenForm & { readonly pass: string; readonly submitLabel: string }) | undefined;
}

/**
 * A WebAuthn form (views/partials/passkey.ejs): hidden until public/webauthn.js runs, which fetches
 * the options from `optionsUrl`, runs the ceremony and posts the form with the browser's answer.
 */
export interface PasskeyForm extends HiddenForm {
  readonly purpose: 'register' | 'second-factor' | 'passwordless';
  readonly heading: string;
  readonly submitLabel: string;
  /** Shown in a `<noscript>`: passkeys need JavaScript. */
  readonly needsScript: string;
  /** Shown (role="alert") when the ceremony failed or was cancelled. */
  readonly failed: string;
  readonly optionsUrl: string;
  /** Same-origin scripts, in order: @simplewebauthn/browser, then public/webauthn.js. */
  readonly scriptSrcs: readonly string[];
  /** A name for a new passkey (registration only). */
  readonly nameField:
    { readonly id: string; readonly label: string; readonly value: string } | undefined;
  /** Offer passkeys in the username field's autofill (conditional UI, login page). */
  readonly autofill: boolean;
}
