import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { APP_LOGO, startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { SELECTORS, signInThroughApp, submitLogin } from './helpers/flows.ts';
import { expectNoScripts, screenshot } from './helpers/screenshots.ts';

let env: E2eEnvironment;

beforeAll(async () => {
  env = await startEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

/** The relying party's page after the browser came back to it. */
async function appResult(page: Page) {
  await page.waitForURL(`${env.rp.redirectUri}**`);
  // Read without waiting: the page has exactly one of the two.
  const text = async (selector: string) =>
    (await page.locator(selector).count()) === 0 ? null : page.locator(selector).textContent();
  return { sub: await text('#rp-sub'), error: await text('#rp-error') };
}

describe('signing in through a relying party in Chromium', () => {
  it('shows the app on the login page, asks for consent in plain words, and the app receives tokens', async () => {
    const page = await env.newPage();
    const before = env.rp.callbacks.length;
    await page.goto(env.rp.startUrl());

    expect(new URL(page.url()).pathname).toMatch(/^\/interaction\//);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Sign in');
    await expect(page.locator('.pc-lead').first().textContent()).resolves.toBe(
      'Sign in to continue to Acme Notes',
    );
    // The client's https logo is shown and really loads (CSP img-src allows https:).
    const logo = page.locator('img.pc-client-logo');
    await expect(logo.getAttribute('src')).resolves.toBe(APP_LOGO);
    await expect(
      logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).resolves.toBeGreaterThan(0);
    // Issue 14: `webauthn` lets the browser offer passkeys in the field (conditional UI).
    await expect(page.locator(SELECTORS.username).getAttribute('autocomplete')).resolves.toBe(
      'username webauthn',
    );
    await expect(page.locator(SELECTORS.password).getAttribute('autocomplete')).resolves.toBe(
      'current-password',
    );
    await expectNoScripts(page);
    await screenshot(page, 'login');

    await submitLogin(page, env.user.username, env.user.password);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe(
      'Acme Notes wants to access your account',
    );
    await expect(page.locator('.pc-scope').allTextContents()).resolves.toEqual([
      'Sign you in / know who you are',
      'Your name and profile details',
      'Your email address',
    ]);
    await expect(page.locator('img.pc-client-logo').getAttribute('src')).resolves.toBe(APP_LOGO);
    await expectNoScripts(page);
    await screenshot(page, 'consent');

    await page.click(SELECTORS.allow);
    const result = await appResult(page);
    expect(result).toEqual({ sub: env.user.id, error: null });
    const callback = env.rp.callbacks.at(-1);
    expect(env.rp.callbacks).toHaveLength(before + 1);
    expect(callback?.tokens?.access_token).toEqual(expect.any(String));
    expect(callback?.tokens?.claims()?.sub).toBe(env.user.id);
    await page.context().close();
  });

  it('answers a wrong password with one generic, announced error and keeps the username', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    await submitLogin(page, env.user.username, 'not-the-password');

    const alert = page.locator(SELECTORS.alert);
    await expect(alert.textContent()).resolves.toContain('The username or password is incorrect.');
    const alertId = await alert.getAttribute('id');
    for (const field of [SELECTORS.username, SELECTORS.password]) {
      await expect(page.locator(field).getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(page.locator(field).getAttribute('aria-describedby')).resolves.toBe(alertId);
    }
    await expect(page.locator(SELECTORS.username).inputValue()).resolves.toBe(env.user.username);
    await expect(page.locator(SELECTORS.password).inputValue()).resolves.toBe('');
    // The password field has focus, so the user can retype at once.
    await expect(
      page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document
            .activeElement.id,
      ),
    ).resolves.toBe('password');
    await screenshot(page, 'login-error');

    // The same page still signs in: the form keeps posting to the same interaction.
    await submitLogin(page, env.user.username, env.user.password);
    await expect(page.locator(SELECTORS.allow).count()).resolves.toBe(1);
    await page.context().close();
  });

  it('sends access_denied back to the app when the user denies at consent', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    await submitLogin(page, env.user.username, env.user.password);
    await page.click(SELECTORS.deny);
    expect(await appResult(page)).toEqual({ sub: null, error: 'access_denied' });
    expect(env.rp.callbacks.at(-1)).toEqual({ error: 'access_denied' });
    await page.context().close();
  });

  it('sends access_denied back to the app when the user cancels at login', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    await page.click(SELECTORS.cancel);
    expect(await appResult(page)).toEqual({ sub: null, error: 'access_denied' });
    await page.context().close();
  });

  it('answers prompt=none without a session with login_required at the app, showing no page', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl({ prompt: 'none' }));
    expect(await appResult(page)).toEqual({ sub: null, error: 'login_required' });
    await page.context().close();
  });

  it('signs in with the keyboard only, with a visible focus ring on every stop', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    const focused = () =>
      page.evaluate(() => {
        const doc = (
          globalThis as unknown as {
            document: {
              activeElement: {
                id: string;
                tagName: string;
                className: string;
                getAttribute(n: string): string | null;
              };
            };
          }
        ).document;
        const el = doc.activeElement;
        const style = (
          globalThis as unknown as {
            getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string };
          }
        ).getComputedStyle(el);
        return {
          id: el.id,
          tag: el.tagName.toLowerCase(),
          value: el.getAttribute('value'),
          className: el.className,
          outline: style.outlineStyle,
          outlineWidth: Number.parseFloat(style.outlineWidth),
        };
      });

    // The username field has focus on arrival (autofocus), so typing starts at once. Browsers
    // apply autofocus after the page has loaded: on a busy machine, a moment later.
    await page
      .waitForFunction(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
            .activeElement?.id === 'username',
        undefined,
        { timeout: 5000 },
      )
      .catch(() => undefined);
    expect((await focused()).id).toBe('username');
    await page.keyboard.type(env.user.username);
    await page.keyboard.press('Tab');
    const password = await focused();
    expect(password.id).toBe('password');
    expect(password.outline).not.toBe('none');
    await page.keyboard.type(env.user.password);
    await Promise.all([page.waitForURL(/\/interaction\//), page.keyboard.press('Enter')]);
    await page.waitForSelector(SELECTORS.allow);

    // Consent: the first Tab reaches the skip link, which becomes visible and jumps to the content.
    await page.keyboard.press('Tab');
    const skip = await focused();
    expect(skip.className).toBe('pc-skip-link');
    const box = await page.locator('.pc-skip-link').boundingBox();
    expect(box?.y).toBeGreaterThanOrEqual(0);
    await screenshot(page, 'consent-skip-link-focused', { variants: [['desktop', 'light']] });
    await page.keyboard.press('Enter');
    expect((await focused()).id).toBe('main');
    await page.keyboard.press('Tab');
    const allow = await focused();
    expect(allow).toMatchObject({ tag: 'button', value: 'approve', outline: 'solid' });
    expect(allow.outlineWidth).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'consent-allow-focused', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await page.keyboard.press('Enter');
    expect(await appResult(page)).toEqual({ sub: env.user.id, error: null });
    await page.context().close();
  });

  it('signs in with JavaScript disabled: every page is a plain HTML form', async () => {
    const page = await env.newPage({ javaScriptEnabled: false });
    await signInThroughApp(page, env.rp.startUrl(), env.user, env.rp.redirectUri);
    await expect(page.locator('#rp-sub').textContent()).resolves.toBe(env.user.id);
    await page.context().close();
  });
});
