import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { storedIdOf } from '../../src/oidc/bearer-entries.ts';
import { seriousViolations } from './helpers/axe.ts';
import { startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { interactionUid, SELECTORS, submitLogin } from './helpers/flows.ts';

let env: E2eEnvironment;

beforeAll(async () => {
  env = await startEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

type Scheme = 'light' | 'dark';

/**
 * axe-core on the page as it is: every rule in one colour scheme, and the colour-contrast rule
 * again in the other (the only rule the scheme changes). Serious and critical findings fail.
 */
async function audit(page: Page, name: string, scheme: Scheme): Promise<void> {
  const other: Scheme = scheme === 'light' ? 'dark' : 'light';
  await page.emulateMedia({ colorScheme: scheme });
  const all = await seriousViolations(page);
  await page.emulateMedia({ colorScheme: other });
  const contrast = await seriousViolations(page, ['color-contrast']);
  await page.emulateMedia({ colorScheme: scheme });
  expect({ page: name, violations: [...all, ...contrast] }).toEqual({ page: name, violations: [] });
}

const LANGUAGES = [
  { lang: 'en', locale: 'en-US', scheme: 'light' },
  { lang: 'de', locale: 'de-DE', scheme: 'dark' },
] as const;

describe.each(LANGUAGES)(
  'accessibility of every page in $lang (axe-core: nothing serious or critical)',
  ({ lang, locale, scheme }) => {
    let page: Page;

    beforeAll(async () => {
      // The CSP allows no scripts at all; axe has to be injected, so only these audit pages bypass it.
      page = await env.newPage({ locale, bypassCSP: true });
    });
    afterAll(async () => {
      await page?.context().close();
    });

    async function expectLanguage(): Promise<void> {
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang);
    }

    it('home and not-found pages', async () => {
      await page.goto(`${env.server.issuer}/`);
      await expectLanguage();
      await audit(page, 'home', scheme);
      await page.goto(`${env.server.issuer}/no/such/page`);
      await expectLanguage();
      await audit(page, 'not-found', scheme);
    });

    it('error page for an unregistered redirect URI', async () => {
      const url = new URL(`${env.server.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: env.client.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: 'https://evil.example/cb',
      }).toString();
      await page.goto(url.href);
      await expectLanguage();
      await audit(page, 'error', scheme);
    });

    it('login, login with an error, consent', async () => {
      await page.goto(env.rp.startUrl());
      await expectLanguage();
      await audit(page, 'login', scheme);
      await submitLogin(page, env.user.username, 'wrong-password');
      await expect(page.locator(SELECTORS.alert).count()).resolves.toBe(1);
      await audit(page, 'login with error', scheme);
      await submitLogin(page, env.user.username, env.user.password);
      await expect(page.locator(SELECTORS.allow).count()).resolves.toBe(1);
      await expectLanguage();
      await audit(page, 'consent', scheme);
      await Promise.all([page.waitForURL(`${env.rp.redirectUri}**`), page.click(SELECTORS.allow)]);
    });

    it('logout confirmation and signed-out page', async () => {
      await page.goto(env.rp.logoutUrl());
      await expect(page.locator(SELECTORS.confirmLogout).count()).resolves.toBe(1);
      await expectLanguage();
      await audit(page, 'logout confirmation', scheme);
      await Promise.all([
        page.waitForURL(`${env.rp.postLogoutRedirectUri}**`),
        page.click(SELECTORS.confirmLogout),
      ]);
      await page.goto(`${env.server.issuer}/session/end/success`);
      await expectLanguage();
      await audit(page, 'signed out', scheme);
    });

    it('expired sign-in', async () => {
      await page.goto(env.rp.startUrl());
      await env.server.services.store.oidc.destroy(
        'Interaction',
        storedIdOf('Interaction', interactionUid(page)),
      );
      await submitLogin(page, env.user.username, env.user.password);
      await expect(page.locator('a.pc-button-primary').count()).resolves.toBe(1);
      await expectLanguage();
      await audit(page, 'expired', scheme);
    });
  },
);
