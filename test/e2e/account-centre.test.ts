/**
 * The account lifecycle in Chromium (issue 15 Tests), with openid-client as the app: reset a
 * password through the email read from a real SMTP server; two sessions in two browser
 * contexts, one ended from the sessions page (its app gets a logout token, its prompt=none gets
 * login_required); revoking the connected app (refresh fails, introspection inactive); export;
 * deletion. Every new page is checked with axe-core (nothing serious or critical) in English and
 * German and both colour schemes, and photographed (test-results/screenshots/account-*).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import * as oidc from 'openid-client';
import type { Page } from 'playwright-core';
import {
  startBackchannelReceiver,
  verifyLogoutToken,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { seriousViolations } from './helpers/axe.ts';
import { startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { clickAndLoad, SELECTORS, submitLogin } from './helpers/flows.ts';
import { expectNoScripts, screenshot } from './helpers/screenshots.ts';

let env: E2eEnvironment;
let sink: SmtpSink;
let receiver: BackchannelReceiver;
let api: { clientId: string; clientSecret: string };

beforeAll(async () => {
  sink = await startSmtpSink();
  receiver = await startBackchannelReceiver();
  env = await startEnvironment({
    env: {
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_REQUIRE_TLS: 'false',
      BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
    },
  });
  // The app registers a back-channel logout endpoint (OIDC Back-Channel Logout 1.0 §2.2).
  const stored = await env.server.services.store.oidc.find('Client', env.client.clientId);
  await env.server.services.store.oidc.upsert('Client', env.client.clientId, {
    ...stored,
    backchannel_logout_uri: `${receiver.url}/acme`,
    backchannel_logout_session_required: true,
  });
  api = await env.server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
}, 60_000);
afterAll(async () => {
  await env?.stop();
  await receiver?.close();
  await sink?.close();
});

type Scheme = 'light' | 'dark';

async function audit(page: Page, name: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as Scheme[]) {
    await page.emulateMedia({ colorScheme: scheme });
    const violations = await seriousViolations(
      page,
      scheme === 'dark' ? ['color-contrast'] : undefined,
    );
    expect({ page: name, scheme, violations }).toEqual({ page: name, scheme, violations: [] });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Signs in through the app (offline access, so it holds a refresh token); answers its tokens. */
async function signInThroughApp(page: Page, user: { username: string; password: string }) {
  const before = env.rp.callbacks.length;
  await page.goto(
    env.rp.startUrl({ scope: 'openid profile email offline_access', prompt: 'consent' }),
  );
  await submitLogin(page, user.username, user.password);
  await Promise.all([page.waitForURL(`${env.rp.redirectUri}**`), page.click(SELECTORS.allow)]);
  const callback = env.rp.callbacks[before];
  expect(callback?.tokens?.access_token).toEqual(expect.any(String));
  return callback?.tokens;
}

async function introspect(token: string): Promise<boolean> {
  const rp = await env.server.rp(api.clientId, api.clientSecret);
  return (await oidc.tokenIntrospection(rp, token)).active;
}

describe('forgot password in Chromium', () => {
  it('resets the password from the sign-in page through the emailed link', async () => {
    const user = await env.server.createUser({ name: 'Grace Hopper' });
    const page = await env.newPage({ bypassCSP: true });
    await page.goto(env.rp.startUrl());
    await clickAndLoad(page, 'a[href="/forgot-password"]');
    await expect(page.locator('h1').textContent()).resolves.toBe('Forgot your password?');
    await expectNoScripts(page);
    await audit(page, 'forgot-password');
    await screenshot(page, 'account-forgot-password');
    await page.fill('#email', user.email);
    await clickAndLoad(page, 'button[type="submit"]');
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your email');
    await audit(page, 'forgot-password-sent');
    await screenshot(page, 'account-forgot-password-sent', { variants: [['desktop', 'light']] });

    const mail = await sink.waitFor(user.email);
    const link = /(http:\S+\/reset-password\?token=[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? '';
    await page.goto(link);
    await audit(page, 'reset-password');
    await screenshot(page, 'account-reset-password');
    await page.fill('#password', 'short');
    await page.fill('#confirm', 'short');
    await clickAndLoad(page, 'button[type="submit"]');
    await expect(page.locator(SELECTORS.alert).textContent()).resolves.toContain('at least 8');
    await expect(page.locator('#password').getAttribute('aria-invalid')).resolves.toBe('true');
    await audit(page, 'reset-password-error');
    await screenshot(page, 'account-reset-password-error', { variants: [['phone', 'dark']] });
    const password = 'correct horse battery staple 2';
    await page.fill('#password', password);
    await page.fill('#confirm', password);
    await clickAndLoad(page, 'button[type="submit"]');
    await expect(page.locator('h1').textContent()).resolves.toBe('Password changed');

    const tokens = await signInThroughApp(await env.newPage(), {
      username: user.username,
      password,
    });
    expect(tokens?.claims()?.sub).toBe(user.id);
    // The link worked once.
    await page.goto(link);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link does not work');
    await page.context().close();
  });
});

describe('the account centre in Chromium', () => {
  it('shows two sessions, ends the other one: its app gets a logout token and prompt=none fails', async () => {
    const user = await env.server.createUser({ name: 'Ada Lovelace' });
    const pageA = await env.newPage({ bypassCSP: true });
    const pageB = await env.newPage();
    await signInThroughApp(pageA, user);
    await signInThroughApp(pageB, user);

    await pageA.goto(`${env.server.issuer}/account`);
    await expect(pageA.locator('h1').textContent()).resolves.toBe('Your profile');
    await expectNoScripts(pageA);
    await audit(pageA, 'account-profile');
    await screenshot(pageA, 'account-profile');

    await clickAndLoad(pageA, 'nav.pc-account-nav a[href="/account/sessions"]');
    await expect(pageA.locator('.pc-account-item').count()).resolves.toBe(2);
    await expect(pageA.locator('.pc-badge').textContent()).resolves.toBe('This device');
    await expect(pageA.locator('.pc-account-item').first().textContent()).resolves.toMatch(
      /HeadlessChrome|Chrome/,
    );
    await audit(pageA, 'account-sessions');
    await screenshot(pageA, 'account-sessions');

    const before = receiver.deliveries.length;
    await clickAndLoad(pageA, 'form[action="/account/sessions/end"] button');
    await expect(pageA.locator('[role="status"]').textContent()).resolves.toContain('signed out');
    await expect(pageA.locator('.pc-account-item').count()).resolves.toBe(1);
    await waitFor(() => receiver.deliveries.length > before);
    const delivery = receiver.deliveries.at(-1);
    const { payload } = await verifyLogoutToken(
      env.server.issuer,
      delivery?.token ?? '',
      env.client.clientId,
    );
    expect(payload.sub).toBe(user.id);

    const count = env.rp.callbacks.length;
    await pageB.goto(env.rp.startUrl({ prompt: 'none' }));
    await pageB.waitForURL(`${env.rp.redirectUri}**`);
    expect(env.rp.callbacks[count]?.error).toBe('login_required');
    await pageA.context().close();
    await pageB.context().close();
  });

  it('revokes the connected app: refresh fails, introspection is inactive', async () => {
    const user = await env.server.createUser({ name: 'Alan Turing' });
    const page = await env.newPage({ bypassCSP: true, locale: 'de-DE' });
    const tokens = await signInThroughApp(page, user);
    expect(await introspect(tokens?.access_token ?? '')).toBe(true);
    await page.goto(`${env.server.issuer}/account/apps`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    await expect(page.locator('h1').textContent()).resolves.toBe('Verbundene Apps');
    await expect(page.locator('.pc-account-item h2').textContent()).resolves.toBe('Acme Notes');
    await audit(page, 'account-apps');
    await screenshot(page, 'account-apps');
    await clickAndLoad(page, 'form[action="/account/apps/revoke"] button');
    await expect(page.locator('[role="status"]').textContent()).resolves.toContain('Acme Notes');
    const rp = await env.server.rp(env.client.clientId, env.client.clientSecret);
    await expect(oidc.refreshTokenGrant(rp, tokens?.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await introspect(tokens?.access_token ?? '')).toBe(false);

    await page.goto(`${env.server.issuer}/account/activity`);
    await audit(page, 'account-activity');
    await screenshot(page, 'account-activity');
    await page.context().close();
  });

  it('exports the data the pages show, then deletes the account after confirmation', async () => {
    const user = await env.server.createUser({ name: 'Katherine Johnson' });
    const page = await env.newPage({ bypassCSP: true, acceptDownloads: true });
    await signInThroughApp(page, user);
    await page.goto(`${env.server.issuer}/account/data`);
    await audit(page, 'account-data');
    await screenshot(page, 'account-data');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('form[action="/account/data/export"] button'),
    ]);
    const json = JSON.parse(await readFile((await download.path()) ?? '', 'utf8')) as {
      profile: { username: string; claims: { name: string } };
      sessions: { current: boolean }[];
      connectedApps: { name: string }[];
    };
    expect(json.profile).toMatchObject({
      username: user.username,
      claims: { name: 'Katherine Johnson' },
    });
    expect(json.sessions).toEqual([expect.objectContaining({ current: true })]);
    expect(json.connectedApps.map((a) => a.name)).toEqual(['Acme Notes']);

    // Signed in moments ago: recent enough, so no password is asked (account.recentAuthSeconds).
    expect(await page.locator('#delete-current').count()).toBe(0);
    const before = receiver.deliveries.length;
    await page.check('#delete-confirm');
    await clickAndLoad(page, 'form[action="/account/data/delete"] button');
    await expect(page.locator('h1').textContent()).resolves.toBe('Account deleted');
    await audit(page, 'account-deleted');
    await screenshot(page, 'account-deleted', { variants: [['desktop', 'light']] });
    expect(await env.server.services.accounts.findById(user.id)).toBeUndefined();
    await waitFor(() => receiver.deliveries.length > before);
    expect(receiver.deliveries.length).toBeGreaterThan(before);

    const again = await env.newPage();
    await again.goto(env.rp.startUrl());
    await submitLogin(again, user.username, user.password);
    await expect(again.locator(SELECTORS.alert).textContent()).resolves.toContain('incorrect');
    const { store } = env.server.services;
    for (const model of ['Session', 'Grant', 'AccessToken', 'RefreshToken'] as const)
      expect(await store.oidc.findByAccountId(model, user.id, 10)).toEqual([]);
    await page.context().close();
    await again.context().close();
  });
});

describe('every account page in German (axe-core, dark first)', () => {
  it('has nothing serious or critical, with lang="de"', async () => {
    const user = await env.server.createUser({ name: 'Emmy Noether' });
    const page = await env.newPage({ bypassCSP: true, locale: 'de-DE', colorScheme: 'dark' });
    await signInThroughApp(page, user);
    const paths = [
      '/account',
      '/account/sessions',
      '/account/apps',
      '/account/activity',
      '/account/data',
      '/forgot-password',
    ];
    for (const path of paths) {
      await page.goto(`${env.server.issuer}${path}`);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
      await expectNoScripts(page);
      await audit(page, `${path} (de)`);
    }
    // An error state: the name too long on the profile form.
    await page.goto(`${env.server.issuer}/account`);
    await page.fill('#name', 'x'.repeat(201));
    await clickAndLoad(page, 'form[action="/account/profile"] button');
    await expect(page.locator(SELECTORS.alert).count()).resolves.toBe(1);
    await expect(page.locator('#name').getAttribute('aria-invalid')).resolves.toBe('true');
    await audit(page, 'profile error (de)');
    await screenshot(page, 'account-profile-error-de', { variants: [['desktop', 'dark']] });
    await page.context().close();
  });
});
