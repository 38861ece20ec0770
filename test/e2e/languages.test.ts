import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { SELECTORS, submitLogin } from './helpers/flows.ts';
import { screenshot } from './helpers/screenshots.ts';

let env: E2eEnvironment;

beforeAll(async () => {
  env = await startEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

async function pageLanguage(page: Page): Promise<string | null> {
  return page.locator('html').getAttribute('lang');
}

/** Every switcher link is a same-origin path that only adds `lang` (never `//host`, never a scheme). */
async function expectSafeSwitcherLinks(page: Page): Promise<void> {
  for (const href of await page
    .locator(SELECTORS.languageLinks)
    .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))) {
    expect(href).toMatch(/^\/(?![/\\])[^\s\\]*[?&]lang=(en|de)$/);
  }
}

async function languageCookie(page: Page) {
  return (await page.context().cookies(env.server.issuer)).find(
    (c) => c.name === 'portcullis_lang',
  );
}

describe('page language', () => {
  it('follows ui_locales: the whole sign-in is in German and still reaches the app', async () => {
    const page = await env.newPage({ locale: 'en-US' });
    await page.goto(env.rp.startUrl({ ui_locales: 'de-CH en' }));
    expect(await pageLanguage(page)).toBe('de');
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Anmelden');
    await expect(page.locator('.pc-lead').first().textContent()).resolves.toBe(
      'Melden Sie sich an, um Acme Notes zu nutzen',
    );
    await expect(page.locator('label[for="username"]').textContent()).resolves.toBe('Benutzername');
    await expectSafeSwitcherLinks(page);
    await screenshot(page, 'login-de', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });

    await submitLogin(page, env.user.username, env.user.password);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe(
      'Zugriff für Acme Notes erlauben?',
    );
    await expect(page.locator('.pc-scope').allTextContents()).resolves.toEqual([
      'Ihre Identität, um Sie anzumelden',
      'Ihren Namen und Ihre Profilangaben',
      'Ihre E-Mail-Adresse',
    ]);
    await expect(page.locator(SELECTORS.allow).textContent()).resolves.toBe('Erlauben');
    await screenshot(page, 'consent-de', {
      variants: [
        ['desktop', 'dark'],
        ['phone', 'light'],
      ],
    });
    await Promise.all([page.waitForURL(`${env.rp.redirectUri}**`), page.click(SELECTORS.allow)]);
    await expect(page.locator('#rp-sub').textContent()).resolves.toBe(env.user.id);
    await page.context().close();
  });

  it('follows Accept-Language when the app sends no ui_locales, errors included', async () => {
    const page = await env.newPage({ locale: 'de-DE' });
    await page.goto(env.rp.startUrl());
    expect(await pageLanguage(page)).toBe('de');
    await submitLogin(page, env.user.username, 'falsch');
    await expect(page.locator(SELECTORS.alert).textContent()).resolves.toContain(
      'Benutzername oder Passwort ist falsch.',
    );
    await screenshot(page, 'login-error-de', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await page.context().close();
  });

  it('lets the user switch language without JavaScript; the choice is remembered and forms keep working', async () => {
    const page = await env.newPage({ locale: 'en-US', javaScriptEnabled: false });
    await page.goto(env.rp.startUrl());
    const loginPath = new URL(page.url()).pathname;
    expect(await pageLanguage(page)).toBe('en');
    await expectSafeSwitcherLinks(page);
    await expect(page.locator('.pc-language-current').textContent()).resolves.toBe('English');

    await Promise.all([
      page.waitForURL(/lang=de/),
      page.click('nav.pc-languages a[hreflang="de"]'),
    ]);
    expect(new URL(page.url()).pathname).toBe(loginPath);
    expect(await pageLanguage(page)).toBe('de');
    const cookie = await languageCookie(page);
    expect(cookie).toMatchObject({ value: 'de', httpOnly: true, sameSite: 'Lax', path: '/' });

    // The login form still posts to the same interaction; the next page stays German although
    // the browser asks for English (the remembered choice wins over Accept-Language).
    await submitLogin(page, env.user.username, env.user.password);
    expect(await pageLanguage(page)).toBe('de');
    await expect(page.locator(SELECTORS.allow).textContent()).resolves.toBe('Erlauben');

    await Promise.all([
      page.waitForURL(/lang=en/),
      page.click('nav.pc-languages a[hreflang="en"]'),
    ]);
    expect(await pageLanguage(page)).toBe('en');
    expect((await languageCookie(page))?.value).toBe('en');
    await Promise.all([page.waitForURL(`${env.rp.redirectUri}**`), page.click(SELECTORS.allow)]);
    await expect(page.locator('#rp-sub').textContent()).resolves.toBe(env.user.id);
    await page.context().close();
  });

  it('lets a remembered choice win over ui_locales, and ?lang win over both', async () => {
    const page = await env.newPage({ locale: 'en-US' });
    await page
      .context()
      .addCookies([{ name: 'portcullis_lang', value: 'de', url: env.server.issuer }]);
    await page.goto(env.rp.startUrl({ ui_locales: 'en' }));
    expect(await pageLanguage(page)).toBe('de');
    await page.goto(`${page.url()}?lang=en`);
    expect(await pageLanguage(page)).toBe('en');
    await page.context().close();
  });

  it('keeps the logout request when switching language on the confirmation page', async () => {
    const page = await env.newPage({ locale: 'en-US' });
    await page.goto(env.rp.startUrl());
    await submitLogin(page, env.user.username, env.user.password);
    await Promise.all([page.waitForURL(`${env.rp.redirectUri}**`), page.click(SELECTORS.allow)]);

    await page.goto(env.rp.logoutUrl());
    expect(await pageLanguage(page)).toBe('en');
    await expectSafeSwitcherLinks(page);
    await Promise.all([
      page.waitForURL(/lang=de/),
      page.click('nav.pc-languages a[hreflang="de"]'),
    ]);
    expect(await pageLanguage(page)).toBe('de');
    expect(new URL(page.url()).searchParams.get('post_logout_redirect_uri')).toBe(
      env.rp.postLogoutRedirectUri,
    );
    await expect(page.locator('.pc-lead').textContent()).resolves.toBe(
      'Acme Notes möchte Sie abmelden. Möchten Sie sich von Portcullis abmelden?',
    );
    await screenshot(page, 'logout-confirm-de', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await Promise.all([
      page.waitForURL(`${env.rp.postLogoutRedirectUri}**`),
      page.click(SELECTORS.confirmLogout),
    ]);
    await page.context().close();
  });

  it('shows an English OAuth error description on a German page apart, marked as English', async () => {
    const page = await env.newPage({ locale: 'de-DE' });
    const url = new URL(`${env.server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: env.client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://evil.example/cb',
    }).toString();
    await page.goto(url.href);
    expect(await pageLanguage(page)).toBe('de');
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe(
      'Diese Anfrage konnte nicht ausgeführt werden',
    );
    await expect(page.locator('.pc-detail span[lang="en"]').textContent()).resolves.toMatch(
      /redirect_uri/,
    );
    await expectSafeSwitcherLinks(page);
    await screenshot(page, 'error-unregistered-redirect-uri-de', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await page.context().close();
  });

  it('never reflects an unsupported ?lang, in the page or in a cookie', async () => {
    const page = await env.newPage({ locale: 'en-US' });
    const hostile = '"><script>alert(1)</script>';
    const response = await page.goto(`${env.server.issuer}/?lang=${encodeURIComponent(hostile)}`);
    expect(await pageLanguage(page)).toBe('en');
    expect(response?.headers()['set-cookie']).toBeUndefined();
    expect(await languageCookie(page)).toBeUndefined();
    expect(await page.content()).not.toContain('<script>');
    await expectSafeSwitcherLinks(page);

    await page.goto(`${env.server.issuer}/?lang=de-AT`);
    expect(await pageLanguage(page)).toBe('de');
    expect((await languageCookie(page))?.value).toBe('de');
    await screenshot(page, 'home-de', {
      variants: [
        ['desktop', 'dark'],
        ['phone', 'light'],
      ],
    });
    await page.context().close();
  });
});
