import { LANGUAGE_PARAM } from './i18n/choose-language.ts';
import { LANGUAGE_NAMES, SUPPORTED_LANGUAGES } from './i18n/select-catalogue.ts';
import type { Localised } from './localise.ts';
import type { LanguageSwitcher } from './template-contract.ts';
import { safeBackHref } from './url-safety.ts';

/**
 * Links to this page in every supported language. `here` must already be a same-origin path
 * (it comes from the request, so a request for `//evil.example` must not become a link there:
 * RFC 9700 §4.11.1); only the `lang` parameter is set, the rest of the query is kept so that,
 * say, a logout confirmation keeps its `post_logout_redirect_uri`.
 */
export function languageSwitcher(
  here: string | undefined,
  l: Localised,
): LanguageSwitcher | undefined {
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
