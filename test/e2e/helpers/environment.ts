import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { contextOptions, launchBrowser } from './browser.ts';
import { startRelyingParty, type RelyingParty } from './relying-party.ts';

/** The app's registered https addresses; the browser's requests there are answered by the test. */
export const APP_ORIGIN = 'https://acme.example';
export const APP_LOGO = `${APP_ORIGIN}/logo.svg`;
export const APP_START = `${APP_ORIGIN}/start`;

/** A small square logo, served for `APP_LOGO` (an https `logo_uri`, issue 7 item 3). */
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#0f766e"/><path d="M18 46 32 16l14 30h-8l-6-14-6 14z" fill="#fff"/></svg>';

export interface E2eEnvironment {
  server: TestServer;
  rp: RelyingParty;
  client: { clientId: string; clientSecret: string };
  user: { id: string; username: string; password: string };
  browser: Browser;
  /** A fresh browser context (own cookies) with the app's https addresses answered locally. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  stop(): Promise<void>;
}

/** Answers the app's https addresses inside the browser, so nothing leaves the machine. */
async function routeApp(context: BrowserContext): Promise<void> {
  await context.route(`${APP_ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/logo.svg')
      return route.fulfill({ contentType: 'image/svg+xml', body: LOGO_SVG });
    return route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><title>Acme Notes</title><h1>Acme Notes start page</h1>',
    });
  });
}

/**
 * A running server (memory store), a relying party registered as a confidential client with a
 * name, an https logo and start page, a user, and Chromium. `env` configures the server as
 * environment variables would.
 */
export async function startEnvironment(
  options: { env?: Record<string, string>; client?: Record<string, unknown> } = {},
): Promise<E2eEnvironment> {
  const started = await Promise.allSettled([
    startTestServer(options.env),
    startRelyingParty(),
    launchBrowser(),
  ] as const);
  const [serverResult, rpResult, browserResult] = started;
  const contexts: BrowserContext[] = [];

  async function stop(): Promise<void> {
    await Promise.allSettled(contexts.map((c) => c.close()));
    // Each part is stopped even if another fails, so a broken setup never leaves Chromium running.
    await Promise.allSettled([
      browserResult.status === 'fulfilled' ? browserResult.value.close() : undefined,
      rpResult.status === 'fulfilled' ? rpResult.value.stop() : undefined,
      serverResult.status === 'fulfilled' ? serverResult.value.stop({ graceMs: 50 }) : undefined,
    ]);
  }

  if (
    serverResult.status === 'rejected' ||
    rpResult.status === 'rejected' ||
    browserResult.status === 'rejected'
  ) {
    await stop();
    const failed = started.find((r) => r.status === 'rejected');
    throw failed?.reason instanceof Error ? failed.reason : new Error(String(failed?.reason));
  }
  const server = serverResult.value;
  const rp = rpResult.value;
  const browser = browserResult.value;

  try {
    const user = await server.createUser({ name: 'Ada Lovelace' });
    const client = await server.createClient({
      client_name: 'Acme Notes',
      logo_uri: APP_LOGO,
      client_uri: `${APP_ORIGIN}/`,
      initiate_login_uri: APP_START,
      redirect_uris: [rp.redirectUri],
      post_logout_redirect_uris: [rp.postLogoutRedirectUri],
      ...options.client,
    });
    await rp.connect(server.issuer, client.clientId, client.clientSecret);
    return {
      server,
      rp,
      client,
      user,
      browser,
      async newPage(overrides = {}) {
        const context = await browser.newContext(contextOptions(overrides));
        // Fail a step in seconds with Playwright's own message, well before jest's test timeout.
        context.setDefaultTimeout(8_000);
        contexts.push(context);
        await routeApp(context);
        return context.newPage();
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
