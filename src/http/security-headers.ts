import type { Middleware } from 'koa';

/**
 * Headers on every response (security reference rows B24, B28; ASVS 3.4.x). HTML gets a strict
 * CSP: our pages have no inline scripts, load styles and images only from us, and may not be
 * framed (RFC 9700 §4.16, clickjacking). `form-action` is left out on purpose: Chromium applies it
 * to the redirects that follow a form post, and after consent the browser is redirected to the
 * client's registered redirect_uri, which no fixed list can name.
 */
export const HTML_CSP = [
  "default-src 'none'",
  // Our own pages run no script; `'self'` only lets same-origin script files run (none are
  // inline). It must be there as a directive of its own because the provider's self-submitting
  // pages (form_post responses, logout without a session) add their inline script's
  // `'sha256-…'` hash to `script-src` when it exists (lib/helpers/script_src_sha.js); without
  // the directive the script was blocked and the page stayed blank (its no-script button is
  // hidden whenever JavaScript is on).
  "script-src 'self'",
  "style-src 'self'",
  // public/webauthn.js fetches the WebAuthn options from this origin (issue 14); nothing else.
  "connect-src 'self'",
  "img-src 'self' https:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The headers every response gets before anything answers it, in order: one list, so the fast
 * lane (src/http/fast-lane.ts) answers with exactly what the middleware sets.
 */
export function securityHeaderList(options: {
  https: boolean;
}): readonly (readonly [string, string])[] {
  return [
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    // ASVS 3.4.1: HSTS for a year, only when we are served over https.
    ...(options.https
      ? [['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'] as const]
      : []),
    // Every response gets the CSP: JSON and redirects are harmless under it, and an HTML page
    // written by the provider itself (logout, errors) is covered without exceptions.
    ['Content-Security-Policy', HTML_CSP],
  ];
}

export function securityHeaders(options: { https: boolean }): Middleware {
  const headers = securityHeaderList(options);
  return async function securityHeaders(ctx, next) {
    for (const [name, value] of headers) ctx.set(name, value);
    await next();
    ctx.remove('X-Powered-By');
    // ASVS 14.3.2: no page is cached (they carry CSRF tokens, names, or the state of a sign-in).
    // Routes that set their own policy (assets, discovery, JWKS) keep it.
    if (ctx.response.is('html') && !ctx.response.get('Cache-Control'))
      ctx.set('Cache-Control', 'no-store');
  };
}
