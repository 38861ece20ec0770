import type { Middleware } from 'koa';

const SECURE_ATTRIBUTE = /;\s*secure\s*(;|$)/i;

/**
 * When the issuer is https, every cookie is `Secure` (ASVS 3.3.1), whether or not this process
 * sees the request as https. Browsers reach us at the issuer, so over TLS; behind a proxy that
 * terminates TLS the request arrives as http, and the provider marks its cookies `Secure` only
 * when a trusted proxy said `X-Forwarded-Proto: https` (its cookie jar is built from the raw
 * request, not from ours). So: our own jar is switched to secure before anything sets a cookie,
 * and any `Set-Cookie` still without the attribute gets it on the way out. Without `Secure`,
 * browsers would also drop the `__Host-`/`__Secure-` names (src/security/cookie-names.ts).
 */
export function secureCookies(options: { https: boolean }): Middleware {
  return async function secureCookies(ctx, next) {
    if (!options.https) return next();
    ctx.cookies.secure = true;
    await next();
    const cookies = ctx.response.headers['set-cookie'];
    if (Array.isArray(cookies) && cookies.some((c) => !SECURE_ATTRIBUTE.test(c))) {
      ctx.set(
        'Set-Cookie',
        cookies.map((c) => (SECURE_ATTRIBUTE.test(c) ? c : `${c}; secure`)),
      );
    }
  };
}
