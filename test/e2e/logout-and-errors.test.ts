import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { storedIdOf } from '../../src/oidc/bearer-entries.ts';
import { APP_START, startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { interactionUid, SELECTORS, signInThroughApp, submitLogin } from './helpers/flows.ts';
import { expectNoScripts, screenshot } from './helpers/screenshots.ts';

let env: E2eEnvironment;

beforeAll(async () => {
  env = await startEnvironment();
});
afterAll(async () => {
  await env?.stop();
});

async function signedInPage(): Promise<Page> {
  const page = await env.newPage();
  await signInThroughApp(page, env.rp.startUrl(), env.user, env.rp.redirectUri);
  return page;
}

/** Whether the browser still has a session at the issuer: a silent sign-in tells. */
async function silentSignIn(page: Page): Promise<string> {
  await page.goto(env.rp.startUrl({ prompt: 'none' }));
  await page.waitForURL(`${env.rp.redirectUri}**`);
  return (await page.locator('#rp-error').count()) > 0 ? 'login_required' : 'signed_in';
}

describe('signing out (RP-initiated logout) in Chromium', () => {
  it('asks for confirmation naming the app, then returns to its post_logout_redirect_uri signed out', async () => {
    const page = await signedInPage();
    await page.goto(env.rp.logoutUrl());
    expect(new URL(page.url()).pathname).toBe('/session/end');
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Sign out?');
    await expect(page.locator('.pc-lead').textContent()).resolves.toBe(
      'Acme Notes asked to sign you out. Do you want to sign out of Portcullis?',
    );
    await expectNoScripts(page);
    await screenshot(page, 'logout-confirm');

    await Promise.all([
      page.waitForURL(`${env.rp.postLogoutRedirectUri}**`),
      page.click(SELECTORS.confirmLogout),
    ]);
    expect(new URL(page.url()).searchParams.get('state')).toBe('rp-logout-state');
    expect(await silentSignIn(page)).toBe('login_required');
    await page.context().close();
  });

  it('shows the signed-out page when no post_logout_redirect_uri is given', async () => {
    const page = await signedInPage();
    await page.goto(`${env.server.issuer}/session/end`);
    await expect(page.locator('.pc-lead').textContent()).resolves.toBe(
      'Do you want to sign out of Portcullis?',
    );
    await page.click(SELECTORS.confirmLogout);
    await page.waitForURL(/\/session\/end\/success/);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Signed out');
    await expect(page.locator('.pc-lead').textContent()).resolves.toBe('You have been signed out.');
    await expectNoScripts(page);
    await screenshot(page, 'signed-out');
    expect(await silentSignIn(page)).toBe('login_required');
    await page.context().close();
  });
});

describe('pages for requests that cannot go on', () => {
  it('explains an expired sign-in and links back to the app’s registered start page', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    // The interaction ends on the server while the page is open (as when its TTL runs out).
    await env.server.services.store.oidc.destroy(
      'Interaction',
      storedIdOf('Interaction', interactionUid(page)),
    );
    // The login form's POST (the page's passkey script also POSTs, for the WebAuthn options).
    const response = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith('/login'),
    );
    await submitLogin(page, env.user.username, env.user.password);
    expect((await response).status()).toBe(400);

    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe(
      'This sign-in has expired',
    );
    await expect(page.locator('.pc-lead').textContent()).resolves.toBe(
      'For your security, a sign-in page is only valid for a limited time. Nothing was sent. Start again from Acme Notes.',
    );
    const back = page.locator('a.pc-button-primary');
    await expect(back.textContent()).resolves.toBe('Back to Acme Notes');
    await expect(back.getAttribute('href')).resolves.toBe(APP_START);
    await expect(page.locator('.pc-reference').textContent()).resolves.toMatch(/^Reference: \S+/);
    await expectNoScripts(page);
    await screenshot(page, 'expired');

    await Promise.all([page.waitForURL(APP_START), back.click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Acme Notes start page');
    await page.context().close();
  });

  it('tells a user who reloads an expired sign-in page to start again from the application', async () => {
    const page = await env.newPage();
    await page.goto(env.rp.startUrl());
    const url = page.url();
    await page.context().clearCookies();
    const response = await page.goto(url);
    expect(response?.status()).toBe(400);
    await expect(page.locator('.pc-lead').textContent()).resolves.toBe(
      'For your security, a sign-in page is only valid for a limited time. Nothing was sent. Start again from the application.',
    );
    await expect(page.locator('a.pc-button').count()).resolves.toBe(0);
    await screenshot(page, 'expired-without-app', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await page.context().close();
  });

  it('shows an error page, and never redirects, for an unregistered redirect URI', async () => {
    const page = await env.newPage();
    const url = new URL(`${env.server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: env.client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://evil.example/callback',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const response = await page.goto(url.href);
    expect(response?.status()).toBe(400);
    expect(new URL(page.url()).origin).toBe(env.server.issuer);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe(
      'This request could not be completed',
    );
    await expect(page.locator('.pc-lead').textContent()).resolves.toMatch(/redirect_uri/);
    await expect(page.locator('.pc-reference').textContent()).resolves.toMatch(/^Reference: \S+/);
    await expectNoScripts(page);
    await screenshot(page, 'error-unregistered-redirect-uri');
    await page.context().close();
  });

  it('shows a not-found page for an unknown address', async () => {
    const page = await env.newPage();
    const response = await page.goto(`${env.server.issuer}/no/such/page`);
    expect(response?.status()).toBe(404);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Page not found');
    await screenshot(page, 'not-found', {
      variants: [
        ['desktop', 'light'],
        ['phone', 'dark'],
      ],
    });
    await page.context().close();
  });

  it('explains the issuer on its home page', async () => {
    const page = await env.newPage();
    await page.goto(`${env.server.issuer}/`);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Portcullis');
    await expect(page.locator('a[href="/.well-known/openid-configuration"]').count()).resolves.toBe(
      1,
    );
    await expectNoScripts(page);
    await screenshot(page, 'home');
    await page.context().close();
  });
});

describe('self-submitting pages under our CSP (issue 12 item 10)', () => {
  it('delivers a form_post response to the app without a click (the hashed script runs)', async () => {
    const page = await env.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(env.rp.startUrl({ response_mode: 'form_post' }));
    await submitLogin(page, env.user.username, env.user.password);
    await expect(page.locator(SELECTORS.allow).count()).resolves.toBe(1);
    await Promise.all([page.waitForURL(`${env.rp.redirectUri}**`), page.click(SELECTORS.allow)]);
    await expect(page.locator('#rp-sub').textContent()).resolves.toMatch(/\S+/);
    expect(blocked).toEqual([]);
    await page.context().close();
  });

  it('finishes a logout request that arrives without a session instead of showing a blank page', async () => {
    const page = await env.newPage();
    await page.goto(`${env.server.issuer}/session/end`);
    await page.waitForURL(/\/session\/end\/success/);
    await expect(page.locator(SELECTORS.heading).textContent()).resolves.toBe('Signed out');
    await page.context().close();
  });
});
