/**
 * The URL checks every page builder applies before a URL reaches a template, so a template can
 * put any URL it is given into `href` or `src` without a check of its own.
 */

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

/** Only a same-origin path: `/x`, never `//host`, `/\host`, a scheme or control characters. */
export function safeBackHref(backUrl: string | undefined): string | undefined {
  if (backUrl === undefined) return undefined;
  // WHATWG URL parsing treats `\` like `/` and drops tabs and newlines, so `/\evil.example` and
  // `/\t/evil.example` would become protocol-relative: refuse both (RFC 9700 §4.11.1).
  if (!/^\/(?![/\\])/.test(backUrl) || /[\\\p{Cc}]/u.test(backUrl)) return undefined;
  return backUrl;
}
