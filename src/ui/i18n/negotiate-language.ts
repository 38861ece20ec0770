import { DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES } from './select-catalogue.ts';

function primary(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
}

/**
 * The page language: the first supported tag of the client's `ui_locales` (OIDC Core §3.1.2.1,
 * space-separated, in order of preference), else the best of the browser's `Accept-Language`
 * (RFC 9110 §12.5.4, by q-value), else English.
 */
export function negotiateLanguage(
  uiLocales: string | undefined,
  acceptLanguage: string | undefined,
): string {
  for (const tag of (uiLocales ?? '').split(' ')) {
    if (SUPPORTED_LANGUAGES.includes(primary(tag))) return primary(tag);
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: primary(tag), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((e) => e.weight > 0 && SUPPORTED_LANGUAGES.includes(e.tag))
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked[0]?.tag ?? DEFAULT_LANGUAGE;
}
