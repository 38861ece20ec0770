import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.ts';
import type { Config } from './config/schema.ts';
import { createViewRenderer } from './http/render-view.ts';
import type { Logger } from './logging/logger.ts';
import { createProvider } from './oidc/create-provider.ts';
import { createFindAccount } from './oidc/find-account.ts';
import { createProviderHolder, type ReloadingProviderHolder } from './oidc/provider-holder.ts';
import { createProviderPages } from './oidc/render-hooks.ts';
import { openServices, type Services } from './open-services.ts';

export const VIEWS_DIR = fileURLToPath(new URL('../views/', import.meta.url));
export const ASSETS_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export interface RunningServer {
  server: Server;
  services: Services;
  /** The current provider; `refresh()` re-reads the signing keys now instead of on the interval. */
  providers: ReloadingProviderHolder;
  /** The base URL the server listens on (not necessarily the issuer, e.g. behind a proxy). */
  url: string;
  /** Stops accepting, lets in-flight requests finish (bounded), closes the store. */
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** Opens the store, builds the provider and the app, and listens. Used by `main` and tests. */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const services = await openServices(config, log);
  const { store, accounts, cookieKeys, now } = services;
  const render = createViewRenderer({ viewsDir: VIEWS_DIR, cache: config.env !== 'development' });
  const pages = createProviderPages({ render, productName: config.ui.productName });
  const findAccount = createFindAccount(accounts);

  const providers = await createProviderHolder({
    build: (jwks) => createProvider({ config, oidcStore: store.oidc, findAccount, jwks, cookieKeys, pages, log, now }),
    keyStore: store.keys,
    now,
    log,
  });
  providers.start(config.keys.reloadIntervalSeconds * 1000);

  // Expired entries are never returned by reads; this only reclaims their space.
  const sweeper = setInterval(() => {
    store.sweepExpired().then(
      (count) => count > 0 && log.debug({ event: 'store.swept', count }, 'expired entries deleted'),
      (err: unknown) => log.warn({ err }, 'sweeping expired entries failed; will retry'),
    );
  }, config.store.sweepIntervalSeconds * 1000);
  sweeper.unref();

  const app = createApp({ config, log, store, accounts, providers, render, cookieKeys, assetsDir: ASSETS_DIR });
  const server = createServer(app.callback());
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
    await services.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let stopping: Promise<void> | undefined;
  return {
    server,
    services,
    providers,
    url,
    stop(options = {}) {
      stopping ??= (async () => {
        providers.stop();
        clearInterval(sweeper);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = new Promise<void>((resolve) => setTimeout(resolve, options.graceMs ?? 10_000).unref());
        await Promise.race([closed, grace]);
        server.closeAllConnections();
        await services.close();
      })();
      return stopping;
    },
  };
}
