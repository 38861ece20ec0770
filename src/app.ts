import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type { Middleware } from 'koa';
import { Router } from '@koa/router';
import type { AccountService } from './accounts/account-service.ts';
import { mountAdmin, type MountAdminDeps } from './admin/mount-admin.ts';
import type { Config } from './config/schema.ts';
import { clientIp } from './http/client-ip.ts';
import { errorHandler } from './http/error-handler.ts';
import { health } from './http/health.ts';
import { allowedHostSet, hostCheck } from './http/host-check.ts';
import { withFastLane } from './http/fast-lane.ts';
import { mountProvider } from './oidc/mount-provider.ts';
import { pathEncodingCheck } from './http/path-encoding-check.ts';
import type { ViewRenderer } from './ui/render-view.ts';
import { requestId } from './http/request-id.ts';
import { requestLogger } from './http/request-logger.ts';
import { requestTargetCheck } from './http/request-target-check.ts';
import { secureCookies } from './http/secure-cookies.ts';
import { securityHeaderList, securityHeaders } from './http/security-headers.ts';
import { serveAssets } from './ui/serve-assets.ts';
import { serveWebauthnBrowser } from './ui/serve-webauthn-browser.ts';
import { serveThemeStylesheet } from './ui/theme-stylesheet.ts';
import { rememberLanguage, requestLanguage, switcherPath } from './ui/i18n/request-language.ts';
import { createCsrf } from './interactions/csrf.ts';
import type { DescribeResource } from './interactions/describe-resource.ts';
import { interactionRouter } from './interactions/interaction-router.ts';
import { homePage } from './ui/home-page.ts';
import { isMachineEndpointPath } from './oidc/browser-routes.ts';
import type { Logger } from './logging/logger.ts';
import type { Metrics } from './metrics/create-metrics.ts';
import { metricsEndpoint, type CollectMetrics } from './metrics/metrics-endpoint.ts';
import { observeRequests } from './metrics/observe-requests.ts';
import type { ProviderHolder } from './oidc/provider-holder.ts';
import type { IntrospectionCache } from './oidc/build-introspection-cache.ts';
import type { Security } from './security/create-security.ts';
import type { MfaSignIn } from './mfa/create-mfa-sign-in.ts';
import { createMfaPass } from './interactions/mfa-pass.ts';
import type { Store } from './storage/ports.ts';
import { traceRequests } from './tracing/trace-requests.ts';
import type { Tracing } from './tracing/tracing.ts';

export interface AppDeps {
  config: Config;
  log: Logger;
  store: Pick<Store, 'ping'>;
  accounts: Pick<AccountService, 'findById'>;
  providers: ProviderHolder;
  render: ViewRenderer;
  cookieKeys: readonly string[];
  assetsDir: string;
  /** Request and sign-in metrics; `undefined` when `metrics.enabled` is off. */
  metrics: Metrics | undefined;
  /** Serves `/metrics` on this app when `metrics.onMainPort` is set (behind the metrics token). */
  collectMetrics: CollectMetrics | undefined;
  /** Request spans (none are exported unless tracing is enabled). */
  tracing: Tracing;
  /** The admin API at /admin/v1. */
  admin: Pick<MountAdminDeps, 'store' | 'accounts' | 'accountLifecycle' | 'reencryptClientSecrets'>;
  /** Brute-force limits, session rules and security events (src/security/create-security.ts). */
  security: Security;
  /** Registered APIs' names and scope descriptions for the consent page (ASVS 10.7.2). */
  describeResource: DescribeResource;
  /**
   * Replays the engine's answers to repeated introspection calls (src/oidc/build-introspection-cache.ts);
   * a pass-through when `cache.introspection.enabled` is off.
   */
  introspectionCache: IntrospectionCache;
  /** The Redis tier's health for `/readyz` (src/cache/redis-tier.ts); `undefined` without one. */
  cacheTier: { healthy(): boolean } | undefined;
  /** Second factors at sign-in (src/mfa/create-mfa-sign-in.ts); no second-factor step without. */
  mfa?: Pick<MfaSignIn, 'service' | 'verify' | 'passkeys' | 'observe' | 'admitSession'> | undefined;
  /** The account lifecycle's pages (/forgot-password, /account …; issue 15); none when absent. */
  accountRoutes?: Middleware | undefined;
  /** The admin console at /console (src/console/console-router.ts), when the server builds it. */
  adminConsole?: Koa.Middleware | undefined;
}

/** True when a provider has been built from the store's signing keys (`current` throws until then). */
function keysLoaded(providers: ProviderHolder): boolean {
  try {
    return providers.current !== undefined;
  } catch {
    return false;
  }
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
  // Pages outside an authorization request have no ui_locales: the user's choice, then the browser's.
  const languageOf = (ctx: Koa.Context) => requestLanguage(ctx);

  const pages = new Router();
  pages.get('/', async (ctx) => {
    ctx.type = 'html';
    ctx.body = await deps.render(
      'home',
      homePage({
        issuer: config.server.issuer,
        productName,
        lang: languageOf(ctx),
        here: switcherPath(ctx),
      }),
    );
  });

  const interactions = interactionRouter({
    provider: () => deps.providers.current,
    accounts: deps.accounts,
    render: deps.render,
    csrf: createCsrf(deps.cookieKeys),
    log: deps.log,
    productName,
    bodyLimitBytes: config.server.bodyLimitBytes,
    signIn: deps.metrics ? (outcome) => deps.metrics?.signIns.inc({ outcome }) : undefined,
    security: deps.security,
    describeResource: deps.describeResource,
    mfa: deps.mfa
      ? {
          mfa: deps.mfa.service,
          verify: deps.mfa.verify,
          pass: createMfaPass(deps.cookieKeys),
          render: deps.render,
          log: deps.log,
          usernameOf: async (accountId) => (await deps.accounts.findById(accountId))?.username,
          passkeys: {
            ceremonies: deps.mfa.passkeys,
            admitSession: deps.mfa.admitSession,
            events: deps.security.events,
            account: (accountId) => deps.accounts.findById(accountId),
            observe: deps.mfa.observe
              ? (outcome) => deps.mfa?.observe?.('passkey', outcome)
              : undefined,
          },
        }
      : undefined,
    forgotPasswordHref: config.account.selfService ? '/forgot-password' : undefined,
  });
  const https = config.server.issuer.startsWith('https:');

  app.use(requestTargetCheck());
  // The client's real address first, and proxy headers dropped unless a trusted proxy sent them
  // (RFC 9700 §4.13), before anything reads them (src/http/client-ip.ts).
  app.use(
    clientIp({
      trustProxy: config.server.trustProxy,
      trustedProxies: config.server.trustedProxies,
    }),
  );
  app.use(requestId({ trustIncoming: config.server.trustProxy }));
  app.use(deps.security.requestContext.middleware());
  app.use(secureCookies({ https }));
  app.use(
    requestLogger({
      log: deps.log,
      observe: deps.metrics ? observeRequests(deps.metrics) : undefined,
    }),
  );
  if (deps.tracing.enabled)
    app.use(traceRequests({ tracing: deps.tracing, trustIncoming: config.server.trustProxy }));
  app.use(securityHeaders({ https }));
  app.use(
    errorHandler({
      log: deps.log,
      render: deps.render,
      productName,
      languageOf,
      mayRenderHtml: (ctx) => !isMachineEndpointPath(ctx.path),
    }),
  );
  app.use(pathEncodingCheck());
  app.use(
    health({
      store: deps.store,
      keysLoaded: () => keysLoaded(deps.providers),
      cacheTierHealthy: deps.cacheTier && (() => deps.cacheTier?.healthy() ?? false),
    }),
  );
  if (config.metrics.onMainPort && deps.collectMetrics && config.secrets.metricsToken) {
    app.use(metricsEndpoint({ token: config.secrets.metricsToken, collect: deps.collectMetrics }));
  }
  app.use(hostCheck({ issuer: config.server.issuer, allowedHosts: config.server.allowedHosts }));
  // After every check a request must pass, before the routes an introspection call never matches:
  // a hit skips only what would answer it the same again (src/oidc/introspection-answer-cache.ts).
  app.use(deps.introspectionCache.middleware);
  app.use(
    mountAdmin({
      ...deps.admin,
      config,
      log: deps.log,
      providers: deps.providers,
      requestContext: deps.security.requestContext,
    }),
  );
  app.use(serveThemeStylesheet(config.ui));
  if (deps.mfa) app.use(serveWebauthnBrowser());
  app.use(serveAssets({ dir: deps.assetsDir, prefix: '/assets' }));
  app.use(rememberLanguage());
  if (deps.adminConsole) app.use(deps.adminConsole);
  app.use(pages.routes());
  if (deps.accountRoutes) app.use(deps.accountRoutes);
  app.use(interactions.routes());
  app.use(interactions.allowedMethods({ throw: true }));
  app.use(mountProvider(deps.providers));
  return app;
}

/**
 * The HTTP server's request listener: the app, with the introspection cache's fast lane in front
 * (src/http/fast-lane.ts) when the cache is on. Not when tracing is: the chain gives every
 * request a span, which the lane would not.
 */
export function createRequestListener(
  app: Koa,
  deps: Pick<AppDeps, 'config' | 'log' | 'metrics' | 'tracing' | 'introspectionCache'>,
): RequestListener {
  const { config } = deps;
  const lane = deps.introspectionCache.lane;
  const callback = app.callback();
  if (!lane || deps.tracing.enabled)
    return (req, res) => {
      void callback(req, res);
    };
  return withFastLane(callback, {
    lane,
    allowedHosts: allowedHostSet({
      issuer: config.server.issuer,
      allowedHosts: config.server.allowedHosts,
    }),
    securityHeaders: securityHeaderList({ https: config.server.issuer.startsWith('https:') }),
    trustProxy: config.server.trustProxy,
    log: deps.log,
    observe: deps.metrics ? observeRequests(deps.metrics) : undefined,
  });
}
