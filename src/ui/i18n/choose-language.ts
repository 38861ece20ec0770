import { negotiateLanguage } from './negotiate-language.ts';
import { SUPPORTED_LANGUAGES } from './select-catalogue.ts';

/** The query parameter the language switcher's links carry (`?lang=de`). */
export const LANGUAGE_PARAM = 'lang';

/** Where a page's language can come from, strongest first (see `chooseLanguage`). */
export interface LanguageSources {
  /** `?lang=` on this request: the user just picked a language with the switcher. */
  readonly requested?: unknown;
  /** The `portcullis_lang` cookie: the user picked a language earlier. */
  readonly remembered?: unknown;
  /** The authorization request's `ui_locales` (OIDC Core §3.1.2.1), sent by the app. */
  readonly uiLocales?: string | undefined;
  /** The browser's `Accept-Language` header (RFC 9110 §12.5.4). */
  readonly acceptLanguage?: string | undefined;
}

/** A well-formed language tag (RFC 5646 §2.1, simplified): letters, then `-`-separated subtags. */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8}){0,7}$/;

/**
 * The supported language a user-supplied tag names, or nothing. The answer is always one of our
 * own `SUPPORTED_LANGUAGES` strings, never the input, so a cookie or link can only ever carry a
 * value from that list (nothing is reflected raw into a header or page).
 */
export function supportedLanguage(value: unknown): string | undefined {
  if (typeof value !== 'string' || !LANGUAGE_TAG.test(value)) return undefined;
  const primary = value.toLowerCase().split(/[-_]/)[0];
  return SUPPORTED_LANGUAGES.find((lang) => lang === primary);
}

/**
 * The language of a page. Precedence, and why:
 *
 * 1. `?lang=` on this request: the user just chose it with the switcher on the page.
 * 2. The `portcullis_lang` cookie: the user chose it before. It beats `ui_locales` because the
 *    person reading the page knows better than the app's guess, and because otherwise a user
 *    who switched language would see the page switch back after posting a form.
 * 3. `ui_locales` from the authorization request: the app's hint about its user (OIDC Core
 *    §3.1.2.1 makes it a preference, not a requirement).
 * 4. `Accept-Language`: the browser's settings.
 * 5. English.
 *
 * Unsupported or malformed values at any step are skipped, never an error.
 */
export function chooseLanguage(sources: LanguageSources): string {
  return (
    supportedLanguage(sources.requested) ??
    supportedLanguage(sources.remembered) ??
    negotiateLanguage(sources.uiLocales, sources.acceptLanguage)
  );
}
