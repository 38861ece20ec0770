import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import type { ViewRenderer } from '../ui/render-view.ts';
import { requestLanguage, switcherPath } from '../ui/i18n/request-language.ts';
import { errorPage } from '../ui/error-page.ts';
import { loggedOutPage } from '../ui/logged-out-page.ts';
import { logoutPage } from '../ui/logout-page.ts';
import { isBrowserRequest } from './browser-routes.ts';
import type { ProviderPages } from './provider-configuration.ts';

/** The page language (precedence in src/ui/i18n/choose-language.ts) and the switcher's address. */
function languageOf(ctx: KoaContextWithOIDC): { lang: string; here: string | undefined } {
  const uiLocales = ctx.oidc?.params?.ui_locales;
  return {
    lang: requestLanguage(ctx, typeof uiLocales === 'string' ? uiLocales : undefined),
    here: switcherPath(ctx),
  };
}

/** The provider's own pages, rendered with our templates instead of the library's defaults
 *  (which load a web font from a third party, against RFC 9700 §4.2.4). */
export function createProviderPages(deps: {
  render: ViewRenderer;
  productName: string;
}): ProviderPages {
  return {
    async logoutSource(ctx, form) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await deps.render(
        'logout',
        logoutPage({
          // The library's own hidden form with its xsrf token; our template outputs it raw.
          formHtml: form,
          clientName: ctx.oidc.client?.clientName,
          productName: deps.productName,
          ...languageOf(ctx),
        }),
      );
    },
    async postLogoutSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      // The library shows this page after both "Sign out" and "Stay signed in": a session that
      // still has an account means the user stayed.
      const session = await ctx.oidc.provider.Session.get(ctx);
      ctx.body = await deps.render(
        'logged-out',
        loggedOutPage({
          clientName: ctx.oidc.client?.clientName,
          stillSignedIn: typeof session.accountId === 'string',
          productName: deps.productName,
          ...languageOf(ctx),
        }),
      );
    },
    async renderError(ctx, out: ErrorOut, error) {
      // The provider calls this whenever the caller prefers HTML; only browser routes may get a
      // page, client endpoints keep their JSON error shape (src/oidc/browser-routes.ts).
      if (!isBrowserRequest(ctx)) {
        ctx.type = 'application/json';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = out;
        return;
      }
      const status =
        (error as { statusCode?: number; status?: number }).statusCode ??
        (error as { status?: number }).status ??
        500;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await deps.render(
        'error',
        errorPage({
          status,
          // OAuth error descriptions are written for people (RFC 6749 §5.2); 5xx are replaced by
          // the generic text inside errorPage.
          message: out.error_description,
          requestId: String(ctx.get('x-request-id') || ''),
          productName: deps.productName,
          ...languageOf(ctx),
        }),
      );
    },
  };
}
