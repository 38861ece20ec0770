import Koa from 'koa';
import { Router } from '@koa/router';
import type { AccountService } from './accounts/account-service.ts';
import type { Config } from './config/schema.ts';
import { errorHandler } from './http/error-handler.ts';
import { health } from './http/health.ts';
import { hostCheck } from './http/host-check.ts';
import { mountProvider } from './http/mount-provider.ts';
import type { ViewRenderer } from './http/render-view.ts';
import { requestId } from './http/request-id.ts';
import { retryAfter } from './http/retry-after.ts';
import { securityHeaders } from './http/security-headers.ts';
import { serveAssets } from './http/serve-assets.ts';
import { negotiateLanguage } from './i18n/negotiate-language.ts';
import { createCsrf } from './interactions/csrf.ts';
import { interactionRouter } from './interactions/interaction-router.ts';
import { homePage } from './interactions/view-models.ts';
import type { Logger } from './logging/logger.ts';
import type { ProviderHolder } from './oidc/provider-holder.ts';
import type { Store } from './storage/ports.ts';

export interface AppDeps {
  config: Config;
  log: Logger;
  store: Pick<Store, 'ping'>;
  accounts: Pick<AccountService, 'authenticate' | 'findById'>;
  providers: ProviderHolder;
  render: ViewRenderer;
  cookieKeys: readonly string[];
  assetsDir: string;
}

/**
 * Composes the HTTP application. Pure: no I/O, no listening; tests build it in-process.
 * Order matters: ids and headers first so every answer has them; health before the host check
 * (probes address pods by IP); our routes before the provider, which answers the rest.
 */
export function createApp(deps: AppDeps): Koa {
  const { config } = deps;
  const app = new Koa();
  app.proxy = config.server.trustProxy;
  // The provider signs its cookies with the host app's keys when mounted but reads them back with
  // its own `cookies.keys`: they must be the same (stack notes).
  app.keys = [...deps.cookieKeys];
  app.silent = true;

  const productName = config.ui.productName;
  const languageOf = (ctx: Koa.Context) => negotiateLanguage(undefined, ctx.get('accept-language'));

  const pages = new Router();
  pages.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await deps.render('home', homePage({ issuer: config.server.issuer, productName, lang: languageOf(ctx) }));
  });

  const interactions = interactionRouter({
    provider: () => deps.providers.current,
    accounts: deps.accounts,
    render: deps.render,
    csrf: createCsrf(deps.cookieKeys),
    log: deps.log,
    productName,
    bodyLimitBytes: config.server.bodyLimitBytes,
  });

  app.use(requestId({ trustIncoming: config.server.trustProxy }));
  app.use(securityHeaders({ https: config.server.issuer.startsWith('https:') }));
  app.use(errorHandler({ log: deps.log, render: deps.render, productName, languageOf }));
  app.use(health({ store: deps.store, keysLoaded: () => deps.providers.current !== undefined }));
  app.use(hostCheck({ issuer: config.server.issuer, allowedHosts: config.server.allowedHosts }));
  app.use(serveAssets({ dir: deps.assetsDir, prefix: '/assets' }));
  app.use(pages.routes());
  app.use(interactions.routes());
  app.use(interactions.allowedMethods({ throw: true }));
  app.use(retryAfter());
  app.use(mountProvider(deps.providers));
  return app;
}
