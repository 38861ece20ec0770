import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp, createRequestListener, type AppDeps } from './app.ts';
import type { Config } from './config/schema.ts';
import { createViewRenderer, type ViewRenderer } from './ui/render-view.ts';
import { themeStylesheet } from './ui/theme-stylesheet.ts';
import { describeResourceFrom } from './interactions/describe-resource.ts';
import { siteLocals } from './ui/site-locals.ts';
import type { Logger } from './logging/logger.ts';
import { countProviderEvents } from './metrics/count-provider-events.ts';
import { createMetrics, type Metrics } from './metrics/create-metrics.ts';
import { instrumentStore } from './metrics/instrument-store.ts';
import { serveMetrics, type ServedMetrics } from './metrics/serve-metrics.ts';
import { createProvider } from './oidc/create-provider.ts';
import { createFindAccount } from './oidc/find-account.ts';
import { createAccessControlService } from './rbac/access-control-service.ts';
import { createProviderHolder, type ReloadingProviderHolder } from './oidc/provider-holder.ts';
import { createProviderPages } from './oidc/render-hooks.ts';
import { openServices, type Services } from './open-services.ts';
import { createApiProtection } from './resources/create-api-protection.ts';
import { createBackchannelLogoutOnSessionEnd } from './security/backchannel-logout-on-session-end.ts';
import { refreshTokenGrace } from './security/refresh-token-grace.ts';
import { providerHooks } from './oidc/hooks/provider-hooks.ts';
import { buildIntrospectionCache } from './oidc/build-introspection-cache.ts';
import { openRedisTier } from './cache/redis-tier.ts';
import { cacheObserver } from './metrics/cache-observer.ts';
import { createRegistrationHooks } from './admin/registration-hooks.ts';
import { AUTHORIZATION_PATH } from './oidc/provider-configuration.ts';
import { createSecurity } from './security/create-security.ts';
import { createMfaSignIn } from './mfa/create-mfa-sign-in.ts';
import { startTracing } from './tracing/start-tracing.ts';
import { createAccountCentre, type AccountCentre } from './account-centre/create-account-centre.ts';
import { createLogoutTokenIssuer } from './oidc/logout-token.ts';
import { createOutbox, type Outbox } from './outbox/create-outbox.ts';
import { createWebhookSender } from './webhooks/webhook-sender.ts';
import { createAdminServices } from './admin/admin-services.ts';
import { ensureConsoleClient } from './console/console-auth.ts';
import { createConsoleRenderer } from './console/console-renderer.ts';
import { consoleRouter } from './console/console-router.ts';
import type { Tracing } from './tracing/tracing.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));
export const ASSETS_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export interface RunningServer {
  server: Server;
  services: Services;
  /** The current provider; `refresh()` re-reads the signing keys now instead of on the interval. */
  providers: ReloadingProviderHolder;
  /** The base URL the server listens on (not necessarily the issuer, e.g. behind a proxy). */
  url: string;
  /** This process's metrics (undefined when `metrics.enabled` is false). */
  metrics: Metrics | undefined;
  /** The separate metrics listener's `/metrics` URL (undefined when off or in a cluster worker). */
  metricsUrl: string | undefined;
  /** Tracing as started from `tracing.otlpEndpoint` (`enabled` false when unset). */
  tracing: Tracing;
  /** Account lifecycle and account centre (issue 15): emails, links, sessions, deletion. */
  accountCentre: AccountCentre;
  /** The store outbox of this process (back-channel logout tokens, webhooks) and its worker. */
  outbox: Outbox;
  /**
   * Stops accepting, lets in-flight requests finish (bounded by `graceMs`, default
   * `server.shutdownGraceSeconds`), closes the store and flushes the last spans.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface StartServerOptions {
  /** A worker of `server.workers` > 1: metrics are served by the primary, not by this process. */
  clusterWorker?: boolean;
}

/** Opens the store, builds the provider and the app, and listens. Used by `main` and tests. */
/** The page renderer for a configuration: our views, or an operator's templates, and the theme. */
export function pageRenderer(config: Config): ViewRenderer {
  return createViewRenderer({
    viewsDir: VIEWS_DIR,
    cache: config.env !== 'development',
    templatesDir: config.ui.templatesDir,
    site: siteLocals({ ...config.ui, themeStylesheetHref: themeStylesheet(config.ui).href }),
  });
}

export async function startServer(
  config: Config,
  log: Logger,
  startOptions: StartServerOptions = {},
): Promise<RunningServer> {
  // Built before the store is opened: a custom template folder that does not fit this version's
  // template contract stops the start here, with nothing to close.
  const render = pageRenderer(config);
  const metrics = config.metrics.enabled ? createMetrics() : undefined;
  const tracing = await startTracing({
    otlpEndpoint: config.tracing.otlpEndpoint,
    serviceName: config.tracing.serviceName,
    log,
  });
  let services: Services;
  // Sessions the server ends itself get a back-channel logout to their clients (issue 6), as a
  // logout intent in the outbox written before they end (issue 17). The provider, the store and
  // the outbox worker are built after this: the hook reads them when called, which only happens
  // once the server is up.
  const onSessionsEnding = createBackchannelLogoutOnSessionEnd({
    provider: () => providers.current,
    outbox: { enqueue: (deliveries) => services.store.outbox.enqueue(deliveries) },
    deliverNow: (id) => outbox.worker.deliverNow(id),
    log,
    now: Date.now,
  });
  // The optional Redis tier (issue 18 item 3): counters there, the store's as the fallback.
  const redisUrl = config.cache.redisUrl;
  const cacheTier =
    redisUrl === undefined
      ? undefined
      : openRedisTier({
          url: redisUrl,
          log,
          onFallback: metrics ? () => metrics.cacheRedisFallbacks.inc() : undefined,
          onSharedLookup: metrics
            ? (cache, result) => metrics.cacheSharedLookups.inc({ cache, result })
            : undefined,
        });
  try {
    services = await openServices(config, log, Date.now, {
      decorateStore: (opened) => {
        const instrumented = instrumentStore(opened, { metrics, tracing });
        return cacheTier ? cacheTier.withCounters(instrumented) : instrumented;
      },
      onSessionsEnding,
      cacheObserver: metrics && ((name) => cacheObserver(metrics, name)),
    });
  } catch (err) {
    await cacheTier?.close();
    await tracing.shutdown();
    throw err;
  }
  if (cacheTier) services.invalidation.attachBus(cacheTier.bus);
  // The introspection answers every process shares (src/cache/redis-answer-tier.ts), told every
  // change the feed carries.
  const sharedIntrospection =
    cacheTier && config.cache.introspection.enabled
      ? cacheTier.answers('introspection')
      : undefined;
  if (sharedIntrospection) services.invalidation.attachSharedTier(sharedIntrospection);
  if (metrics) services.invalidation.onPollFailure(() => metrics.cacheFeedFailures.inc());
  const { store, accounts, cookieKeys, now, events } = services;
  // Changes other processes make reach this one's caches within cache.invalidationBoundMs.
  services.invalidation.start();
  // Outbound deliveries go through the store (issue 17): any process's worker sends them.
  const outbox = createOutbox({
    config,
    outbox: store.outbox,
    events,
    log,
    now,
    issueLogoutToken: createLogoutTokenIssuer(() => providers.current),
    webhookSender: createWebhookSender({
      endpoints: store.webhookEndpoints,
      policy: {
        attempts: config.webhooks.attempts,
        retryDelayMs: config.webhooks.retryDelayMs,
        maxRetryDelayMs: config.outbox.maxRetryDelaySeconds * 1000,
      },
      allowPrivateNetworks: config.webhooks.allowPrivateNetworks,
      now,
    }),
  });
  const pages = createProviderPages({ render, productName: config.ui.productName });
  // Roles, groups and custom attributes in tokens (issue 16; docs/rbac.md).
  const access = createAccessControlService({
    store: store.accessControl,
    accounts: store.accounts,
    now,
  });
  const findAccount = createFindAccount(accounts, {
    idTokenClaims: config.oidc.idTokenClaims,
    access,
  });
  // Registered APIs, introspection and JWT access tokens (issue 5; docs/apis.md).
  const apis = createApiProtection({ config, store, cookieKeys, now });

  const security = createSecurity({
    config,
    store,
    accounts,
    events,
    requestContext: services.requestContext,
    now,
    onLockout: metrics ? (kind) => metrics.lockouts.inc({ kind }) : undefined,
    onSessionsEnding,
  });
  // Second factors at sign-in (issue 14): the engine's `mfa` prompt and the guarded code checks.
  const mfaSignIn = createMfaSignIn({
    config,
    mfa: services.mfa,
    credentials: store.credentials,
    counters: store.counters,
    oidc: store.oidc,
    onSessionsEnding,
    events,
    now,
    onLockout: metrics ? (kind) => metrics.lockouts.inc({ kind }) : undefined,
    observe: metrics
      ? (factor, outcome) => metrics.secondFactors.inc({ factor, outcome })
      : undefined,
  });
  // Account lifecycle and account centre (issue 15): email, one-time links, sessions, deletion.
  const accountCentre = createAccountCentre({
    config,
    log,
    store,
    accounts,
    events,
    cookieKeys,
    viewsDir: VIEWS_DIR,
    render,
    provider: () => providers.current,
    onSessionsEnding,
    now,
    countEmail: metrics ? (outcome) => metrics.emails.inc({ outcome }) : undefined,
    mfa: services.mfa,
  });
  // The keys of the holder built below, read at request time by the JWT access-token hooks.
  const late: { holder?: ReloadingProviderHolder } = {};
  const apiHooks = apis.endpoints({
    get verificationKeys() {
      if (!late.holder) throw new Error('signing keys are not loaded yet');
      return late.holder.verificationKeys;
    },
  });
  // Every hook on the provider's endpoints, in order (src/oidc/hooks/provider-hooks.ts).
  const hooks = providerHooks({
    authorizationPath: AUTHORIZATION_PATH,
    clientAuthThrottle: security.clientAuthThrottle,
    logoutRevocation: security.logoutRevocation,
    ...apiHooks,
    registrationHooks: createRegistrationHooks({ config, store, log, now }),
    refreshTokenGrace: refreshTokenGrace({
      windowSeconds: config.security.refreshTokenReuseGraceSeconds,
      counters: store.counters,
      oidc: store.oidc,
      now,
    }),
    sessionActivity: accountCentre.sessionActivity,
  });

  const providers = await createProviderHolder({
    build: (jwks) => {
      const { directory: resourceServers, grantReferences } = apis;
      const provider = createProvider({
        config,
        oidcStore: store.oidc,
        findAccount,
        jwks,
        cookieKeys,
        pages,
        log,
        now,
        events,
        resourceServers,
        grantReferences,
        access,
        hooks,
        mfaDecide: mfaSignIn.decide,
        wrapOutgoingFetch: outbox.providerFetch,
      });
      if (metrics) countProviderEvents(provider, metrics);
      return provider;
    },
    keyStore: store.keys,
    now,
    log,
  });
  late.holder = providers;
  providers.start(config.keys.reloadIntervalSeconds * 1000);

  // Expired entries are never returned by reads; this only reclaims their space.
  const sweeper = setInterval(() => {
    store.sweepExpired().then(
      (count) => count > 0 && log.debug({ event: 'store.swept', count }, 'expired entries deleted'),
      (err: unknown) => log.warn({ err }, 'sweeping expired entries failed; will retry'),
    );
    // Security events are kept `events.retentionDays` (docs/security.md).
    store.events.pruneBefore(now() - config.events.retentionDays * 86_400_000).then(
      (count) =>
        count > 0 && log.debug({ event: 'events.pruned', count }, 'old security events deleted'),
      (err: unknown) => log.warn({ err }, 'pruning security events failed; will retry'),
    );
  }, config.store.sweepIntervalSeconds * 1000);
  sweeper.unref();

  let served: ServedMetrics | undefined;
  try {
    served = metrics
      ? await serveMetrics({
          config,
          metrics,
          oidcStore: store.oidc,
          clusterWorker: startOptions.clusterWorker === true,
          log,
        })
      : undefined;
  } catch (err) {
    providers.stop();
    clearInterval(sweeper);
    await services.close();
    await cacheTier?.close();
    await tracing.shutdown();
    throw err;
  }

  // The admin console (issue 17; docs/console.md): its own client, registered at every start.
  if (config.console.enabled) await ensureConsoleClient(store.oidc, config.server.issuer);
  const adminConsole = config.console.enabled
    ? consoleRouter({
        config,
        services: createAdminServices({
          config,
          store,
          accounts,
          provider: () => providers.current,
          now,
          reencryptClientSecrets: services.reencryptClientSecrets,
          // The users' sessions, deletion and second factors (issues 14, 15) in the console too.
          accountLifecycle: {
            lifecycle: accountCentre.lifecycle,
            selfService: accountCentre.selfService,
          },
        }),
        accounts,
        oidc: store.oidc,
        render: createConsoleRenderer({ viewsDir: VIEWS_DIR, cache: config.env !== 'development' }),
        cookieKeys,
        verificationKeys: () => providers.verificationKeys,
        log,
        now,
      })
    : undefined;

  const appDeps: AppDeps = {
    config,
    log,
    store,
    accounts,
    providers,
    render,
    cookieKeys,
    assetsDir: ASSETS_DIR,
    metrics,
    collectMetrics: served?.collect,
    tracing,
    admin: {
      store,
      accounts,
      reencryptClientSecrets: services.reencryptClientSecrets,
      accountLifecycle: {
        lifecycle: accountCentre.lifecycle,
        selfService: accountCentre.selfService,
      },
    },
    describeResource: describeResourceFrom(apis.directory),
    security,
    introspectionCache: buildIntrospectionCache({
      config,
      invalidation: services.invalidation,
      metrics,
      shared: sharedIntrospection,
    }),
    cacheTier,
    mfa: mfaSignIn,
    accountRoutes: accountCentre.routes,
    adminConsole,
  };
  const app = createApp(appDeps);
  const server = createServer(createRequestListener(app, appDeps));
  // Bounded header and request times against slow-loris clients.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.server.port, config.server.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    providers.stop();
    clearInterval(sweeper);
    await served?.close();
    await services.close();
    await cacheTier?.close();
    await tracing.shutdown();
    throw err;
  }
  outbox.worker.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  return {
    server,
    accountCentre,
    services,
    providers,
    url,
    metrics,
    metricsUrl: served?.url,
    tracing,
    outbox,
    stop(options = {}) {
      stopping ??= (async () => {
        providers.stop();
        clearInterval(sweeper);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const graceMs = options.graceMs ?? config.server.shutdownGraceSeconds * 1000;
        const grace = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
        await Promise.race([closed, grace]);
        server.closeAllConnections();
        // Attempts under way finish and report before the store closes.
        await outbox.worker.stop();
        await served?.close();
        // Messages still queued are given a moment, then dropped (links can be asked for again).
        await Promise.race([
          accountCentre.emails.idle(),
          new Promise<void>((resolve) => setTimeout(resolve, 2000).unref()),
        ]);
        accountCentre.close();
        await services.close();
        await cacheTier?.close();
        await tracing.shutdown();
      })();
      return stopping;
    },
  };
}
