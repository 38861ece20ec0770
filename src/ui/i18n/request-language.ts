import type { Context, Middleware } from 'koa';
import { chooseLanguage, LANGUAGE_PARAM, supportedLanguage } from './choose-language.ts';

/** The cookie that remembers a language picked with the switcher. */
export const LANGUAGE_COOKIE = 'portcullis_lang';

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** The parts of a Koa context (ours, or the provider's: it shares ours) this file reads. */
type RequestLike = Pick<Context, 'query' | 'cookies' | 'get' | 'method' | 'originalUrl'>;

/**
 * The language a page for this request is written in (precedence: `chooseLanguage`).
 * `uiLocales` is the authorization request's `ui_locales`, when the page belongs to one.
 */
export function requestLanguage(ctx: RequestLike, uiLocales?: string | undefined): string {
  return chooseLanguage({
    requested: ctx.query[LANGUAGE_PARAM],
    remembered: ctx.cookies.get(LANGUAGE_COOKIE, { signed: false }),
    uiLocales,
    acceptLanguage: ctx.get('accept-language'),
  });
}

/**
 * The address the language switcher should link to for the page being answered: this request's
 * path and query without `lang`, for GET and HEAD only (a page answering a POST cannot be
 * fetched again with a link). The view-model checks it is a same-origin path before using it.
 *
 * `originalUrl` is split by hand, not parsed with `URL`: a request for `//evil.example/x` must
 * stay a path that the check refuses, not become a host.
 */
export function switcherPath(ctx: RequestLike): string | undefined {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return undefined;
  const at = ctx.originalUrl.indexOf('?');
  const path = at === -1 ? ctx.originalUrl : ctx.originalUrl.slice(0, at);
  const params = new URLSearchParams(at === -1 ? '' : ctx.originalUrl.slice(at + 1));
  params.delete(LANGUAGE_PARAM);
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

/**
 * Remembers a language picked with the switcher: a GET with a supported `?lang=` sets the
 * `portcullis_lang` cookie. The value written is our own tag from the supported list, never the
 * parameter itself. HttpOnly (no script needs it), SameSite=Lax, Secure over https, and
 * unsigned on purpose: it carries no authority, and any value other than a supported tag is
 * ignored when read.
 */
export function rememberLanguage(): Middleware {
  return async function rememberLanguage(ctx, next) {
    if (ctx.method === 'GET' || ctx.method === 'HEAD') {
      const chosen = supportedLanguage(ctx.query[LANGUAGE_PARAM]);
      if (chosen !== undefined) {
        ctx.cookies.set(LANGUAGE_COOKIE, chosen, {
          path: '/',
          maxAge: ONE_YEAR_MS,
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.secure,
          signed: false,
          overwrite: true,
        });
      }
    }
    await next();
  };
}
