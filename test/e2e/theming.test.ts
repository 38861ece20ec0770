import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { buildThemeStylesheet } from '../../src/ui/theme-stylesheet.ts';
import { seriousViolations } from './helpers/axe.ts';
import { APP_LOGO, startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { SELECTORS, submitLogin } from './helpers/flows.ts';
import { expectNoScripts, screenshot } from './helpers/screenshots.ts';

// An amber that is too light for white text or links on a light page: the theme has to adjust it.
const PRIMARY = '#f59e0b';
const FOOTER_LINKS = [
  { label: 'Privacy', url: 'https://acme.example/privacy' },
  { label: 'Imprint', url: 'https://acme.example/imprint' },
];

let env: E2eEnvironment;

beforeAll(async () => {
  env = await startEnvironment({
    env: {
      PRODUCT_NAME: 'Acme ID',
      UI_LOGO_URL: APP_LOGO,
      UI_PRIMARY_COLOR: PRIMARY,
      UI_FOOTER_LINKS: JSON.stringify(FOOTER_LINKS),
    },
  });
});
afterAll(async () => {
  await env?.stop();
});

/** The theme's primary colour for a scheme, as the browser reports computed colours. */
function expectedPrimary(scheme: 'light' | 'dark'): string {
  const css = buildThemeStylesheet({ primaryColor: PRIMARY });
  const block =
    scheme === 'light' ? css.slice(0, css.indexOf('@media')) : css.slice(css.indexOf('@media'));
  const hex = /--pc-primary: #([0-9a-f]{6});/.exec(block)?.[1] ?? '';
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

async function buttonColour(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .evaluate(
      (el) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(el).backgroundColor,
    );
}

describe('theming from configuration, without touching templates', () => {
  it('shows the product name, logo, colours and footer links on the login and consent pages', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    await expect(page.locator('.pc-product-name').textContent()).resolves.toBe('Acme ID');
    await expect(page.locator('img.pc-header-logo').getAttribute('src')).resolves.toBe(APP_LOGO);
    await expect(page.title()).resolves.toBe('Sign in – Acme ID');

    const stylesheets = await page
      .locator('link[rel="stylesheet"]')
      .evaluateAll((links) => links.map((l) => l.getAttribute('href')));
    expect(stylesheets).toEqual([
      '/assets/portcullis.css',
      expect.stringMatching(/^\/assets\/theme\.css\?v=[\w-]{16}$/),
    ]);
    expect(await buttonColour(page, SELECTORS.signIn)).toBe(expectedPrimary('light'));
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await buttonColour(page, SELECTORS.signIn)).toBe(expectedPrimary('dark'));
    await page.emulateMedia({ colorScheme: 'light' });

    const links = await page
      .locator('nav.pc-footer-links a')
      .evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual(FOOTER_LINKS.map((l) => [l.label, l.url]));
    await expectNoScripts(page);
    await screenshot(page, 'themed-login');

    await submitLogin(page, env.user.username, env.user.password);
    await expect(page.locator(SELECTORS.allow).count()).resolves.toBe(1);
    expect(await buttonColour(page, SELECTORS.allow)).toBe(expectedPrimary('light'));
    await screenshot(page, 'themed-consent', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await page.context().close();
  });

  it('serves the theme stylesheet with long caching under its versioned URL', async () => {
    const page = await env.newPage();
    await page.goto(`${env.server.issuer}/`);
    const href = await page.locator('link[rel="stylesheet"]').nth(1).getAttribute('href');
    const response = await page.request.get(`${env.server.issuer}${href ?? ''}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/css; charset=utf-8');
    expect(response.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(buildThemeStylesheet({ primaryColor: PRIMARY }));
    await page.context().close();
  });

  it('keeps the themed pages free of serious accessibility findings (contrast included) in both schemes', async () => {
    const page = await env.newPage({ bypassCSP: true });
    await page.goto(env.rp.startUrl());
    await submitLogin(page, env.user.username, 'wrong-password');
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      expect({ scheme, violations: await seriousViolations(page) }).toEqual({
        scheme,
        violations: [],
      });
    }
    await page.context().close();
  });
});
