import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { seriousViolations } from './helpers/axe.ts';
import { APP_ORIGIN, startEnvironment, type E2eEnvironment } from './helpers/environment.ts';
import { clickAndLoad, SELECTORS, signInThroughApp } from './helpers/flows.ts';
import { signInToConsoleInChromium, type ConsoleUser } from '../helpers/console-sign-in.ts';

/**
 * The admin console in Chromium (issue 17): an admin signs in through Portcullis itself, creates
 * a client and sees its secret once, rotates it, disables a user (whose sessions end), rotates
 * the signing keys; a non-admin gets 403; cross-site forms and framing are refused. Every page is
 * checked with axe-core, and a screenshot of each is kept for the note.
 */

const ADMIN = 'console-admin';
const SCREENS = process.env['CONSOLE_SCREENS_DIR'] ?? path.resolve('test-results/screenshots');

let env: E2eEnvironment;
let admin: ConsoleUser;

beforeAll(async () => {
  env = await startEnvironment({ env: { CONSOLE_ADMINS: ADMIN } });
  admin = await env.server.createUser({ username: ADMIN, name: 'Console Admin' });
  mkdirSync(SCREENS, { recursive: true });
});
afterAll(async () => {
  await env?.stop();
});

async function audit(page: Page, name: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect({ page: name, violations }).toEqual({ page: name, violations: [] });
  await page.screenshot({ path: path.join(SCREENS, `console-${name}.png`), fullPage: true });
}

/** /console → the sign-in page → the second factor → consent (first time) → the console. */
const signInToConsole = (page: Page, user: ConsoleUser) =>
  signInToConsoleInChromium(page, env.server.issuer, user);

describe('admin console in Chromium', () => {
  let page: Page;
  beforeAll(async () => {
    // axe must be injected: these pages run no script and the CSP refuses any.
    page = await env.newPage({ bypassCSP: true });
  });

  it('signs an admin in, enrolling a second factor on the way, and shows the dashboard, with no script on the page', async () => {
    const steps = await signInToConsole(page, admin);
    expect(steps).toEqual(['password', 'enrol', 'recovery-codes', 'consent']);
    expect(page.url()).toBe(`${env.server.issuer}/console`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Dashboard');
    expect(await page.locator('script').count()).toBe(0);
    await audit(page, 'dashboard');
  });

  it('creates a client and shows its secret once; rotating gives a new one', async () => {
    await page.goto(`${env.server.issuer}/console/clients/new`);
    await audit(page, 'client-new');
    await page.getByLabel('Name').fill('Billing portal');
    await page.getByLabel('Redirect URIs (one per line)').fill('https://billing.example.com/cb');
    await clickAndLoad(page, 'button.cc-button-primary');
    const secret = await page.locator('#secret').inputValue();
    expect(secret.length).toBeGreaterThan(30);
    await audit(page, 'client-secret');
    // The client's own page (what a reload-free revisit shows): no secret any more.
    const deleteHref =
      (await page.getByRole('link', { name: 'Delete client' }).getAttribute('href')) ?? '';
    const clientUrl = `${env.server.issuer}${deleteHref.replace(/\/delete$/, '')}`;
    await page.goto(clientUrl);
    expect(await page.locator('#secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await page.goto(`${env.server.issuer}/console/clients`);
    await audit(page, 'clients');
    await page.getByRole('link', { name: 'Billing portal' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: 'Rotate secret' }).click();
    await page.waitForLoadState('load');
    await audit(page, 'client-rotate-confirm');
    await clickAndLoad(page, 'button.cc-button-danger');
    const rotated = await page.locator('#secret').inputValue();
    expect(rotated).not.toBe(secret);
    expect(page.url()).toBe(`${clientUrl}/rotate-secret`);
  });

  it('disables a user, whose sessions end at once', async () => {
    const userPage = await env.newPage();
    await signInThroughApp(userPage, env.rp.startUrl(), env.user, env.rp.redirectUri);
    const sessions = () =>
      env.server.services.store.oidc.findByAccountId('Session', env.user.id, 10);
    expect((await sessions()).length).toBeGreaterThan(0);

    await page.goto(
      `${env.server.issuer}/console/users?q=${encodeURIComponent(env.user.username)}`,
    );
    await audit(page, 'users');
    await page.getByRole('link', { name: env.user.username }).click();
    await page.waitForLoadState('load');
    await audit(page, 'user');
    await clickAndLoad(page, 'form[action$="/disable"] button');
    await expect(page.locator('[role="status"]').count()).resolves.toBe(1);
    expect(await sessions()).toEqual([]);
    // Their browser's next authorization needs a sign-in again, which now fails.
    await userPage.goto(env.rp.startUrl());
    await expect(userPage.locator(SELECTORS.password).count()).resolves.toBe(1);
  });

  it('rotates the signing keys', async () => {
    await page.goto(`${env.server.issuer}/console/keys`);
    const before = await page.locator('tbody tr').count();
    await page.getByRole('link', { name: 'Rotate signing keys' }).click();
    await page.waitForLoadState('load');
    await clickAndLoad(page, 'form[action$="/keys/rotate"] button');
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(before);
    await audit(page, 'keys');
  });

  it('shows the audit log with the console user as actor, and filters security events', async () => {
    await page.goto(`${env.server.issuer}/console/audit`);
    await expect(page.locator('tbody').textContent()).resolves.toContain(`console:${ADMIN}`);
    await audit(page, 'audit');
    await page.goto(`${env.server.issuer}/console/events?type_prefix=login.`);
    await expect(page.locator('tbody').textContent()).resolves.toContain('login.succeeded');
    await audit(page, 'events');
    await page.goto(`${env.server.issuer}/console/apis`);
    await audit(page, 'apis');
    await page.goto(`${env.server.issuer}/console/deliveries`);
    await audit(page, 'deliveries');
  });

  it('speaks German', async () => {
    await page.goto(`${env.server.issuer}/console?lang=de`);
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('de');
    await expect(page.locator('h1').textContent()).resolves.toBe('Übersicht');
    await audit(page, 'dashboard-de');
    await page.goto(`${env.server.issuer}/console?lang=en`);
  });

  /** Fills the named fields of the form whose action ends with `action`, and submits it. */
  async function fillAndSubmit(action: string, fields: Record<string, string>): Promise<void> {
    const form = `form[action$="${action}"]`;
    for (const [name, value] of Object.entries(fields))
      await page.fill(`${form} [name="${name}"]`, value);
    await clickAndLoad(page, `${form} button[type="submit"]`);
  }

  it('manages roles, groups and attributes', async () => {
    await page.goto(`${env.server.issuer}/console/roles`);
    await fillAndSubmit('/console/roles', { name: 'orders-reader', description: 'Reads orders' });
    await expect(page.locator('h1').textContent()).resolves.toBe('Role orders-reader');
    await audit(page, 'role');
    await page.goto(`${env.server.issuer}/console/roles`);
    await audit(page, 'roles');

    await page.goto(`${env.server.issuer}/console/groups`);
    await fillAndSubmit('/console/groups', { name: 'support', description: 'Support desk' });
    await fillAndSubmit('/console/groups/support/members/add', { user: env.user.username });
    await page.selectOption('form[action$="/roles/add"] select', 'orders-reader');
    await clickAndLoad(page, 'form[action$="/roles/add"] button');
    await expect(page.locator('[role="status"]').count()).resolves.toBe(1);
    await expect(page.locator('main').textContent()).resolves.toContain(env.user.username);
    await audit(page, 'group');
    await page.goto(`${env.server.issuer}/console/groups`);
    await audit(page, 'groups');

    await page.goto(`${env.server.issuer}/console/attributes`);
    await fillAndSubmit('/console/attributes', { name: 'department' });
    await expect(page.locator('tbody').textContent()).resolves.toContain('department');
    await audit(page, 'attributes');
  });

  it("shows a user's profile, roles, attributes, grants and email links; imports a file", async () => {
    await page.goto(`${env.server.issuer}/console/users/${env.user.id}`);
    await fillAndSubmit(`/users/${env.user.id}/attributes`, { attr_department: 'Support' });
    await expect(page.locator('[role="status"]').count()).resolves.toBe(1);
    await audit(page, 'user');

    await page.goto(`${env.server.issuer}/console/users/import`);
    await audit(page, 'user-import');
    await page.setInputFiles('form[action$="/users/import"] input[type="file"]', {
      name: 'users.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        'username,password_hash\nimported-1,$2b$04$abcdefghijklmnopqrstuu5y2pBQ2h1Vv7Y9dFqkq4S8b1D0xD2iS\nbad name,md5:x\n',
      ),
    });
    await clickAndLoad(page, 'form[action$="/users/import"] button');
    await expect(page.locator('main table').textContent()).resolves.toContain('username');
    await audit(page, 'user-import-report');
  });

  it('registers an API, a registration token and a webhook, each secret shown once', async () => {
    await page.goto(`${env.server.issuer}/console/apis/new`);
    await audit(page, 'api-new');
    await fillAndSubmit('/console/apis', {
      identifier: 'https://api.example.com/orders',
      name: 'Orders',
      scopes: 'orders:read Read your orders\norders:write Place orders',
    });
    await expect(page.locator('h1').textContent()).resolves.toBe('API Orders');
    await audit(page, 'api');

    await page.goto(`${env.server.issuer}/console/iats`);
    await fillAndSubmit('/console/iats', { max_uses: '1', description: 'orders CI' });
    expect((await page.locator('#secret').inputValue()).length).toBeGreaterThan(20);
    await audit(page, 'iats');

    await page.goto(`${env.server.issuer}/console/webhooks`);
    await fillAndSubmit('/console/webhooks', {
      url: 'https://hooks.example.com/portcullis',
      events: 'admin.user.*',
    });
    await expect(page.locator('#secret').inputValue()).resolves.toMatch(/^whsec_/);
    await audit(page, 'webhook-secret');
    await page.goto(`${env.server.issuer}/console/webhooks`);
    await audit(page, 'webhooks');
  });

  it('asks before pruning the signing keys', async () => {
    await page.goto(`${env.server.issuer}/console/keys`);
    await page.getByRole('link', { name: 'Prune expired keys' }).click();
    await page.waitForLoadState('load');
    await expect(page.locator('h1').textContent()).resolves.toBe('Prune expired signing keys?');
    await audit(page, 'keys-prune');
    await clickAndLoad(page, 'form[action$="/keys/prune"] button');
    expect(page.url()).toContain('/console/keys?done=1');
  });

  it('speaks German on the new pages too', async () => {
    await page.goto(`${env.server.issuer}/console/groups/support?lang=de`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Gruppe support');
    await audit(page, 'group-de');
    await page.goto(`${env.server.issuer}/console/users/import?lang=de`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Benutzer importieren');
    await audit(page, 'user-import-de');
    await page.goto(`${env.server.issuer}/console/webhooks?lang=de`);
    await audit(page, 'webhooks-de');
    await page.goto(`${env.server.issuer}/console?lang=en`);
  });

  it('refuses a cross-site form post and cannot be framed', async () => {
    const attacker = await env.newPage();
    await attacker.route(`${APP_ORIGIN}/attack`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>attack</title><form method="post" action="${env.server.issuer}/console/keys/rotate"><input name="csrf" value="guess"><button>go</button></form><iframe src="${env.server.issuer}/console" title="framed"></iframe>`,
      }),
    );
    // The attacker's page is in the admin's browser: reuse the admin's cookies.
    await attacker.context().addCookies(await page.context().cookies());
    const keysBefore = (await env.server.services.store.keys.list()).length;
    await attacker.goto(`${APP_ORIGIN}/attack`);
    const framed = attacker.frames().find((f) => f !== attacker.mainFrame());
    expect(await framed?.content().catch(() => '')).not.toContain('Dashboard');
    const [response] = await Promise.all([
      attacker.waitForEvent('response', (r) => r.url().includes('/console/keys/rotate')),
      attacker.click('button'),
    ]);
    expect(response.status()).toBe(403);
    expect((await env.server.services.store.keys.list()).length).toBe(keysBefore);
  });

  it('answers 403 to a signed-in user who is not an admin, showing nothing', async () => {
    const other = await env.server.createUser();
    const outsider = await env.newPage({ bypassCSP: true });
    await signInToConsole(outsider, other);
    await expect(outsider.locator('h1').textContent()).resolves.toBe('Not allowed');
    expect(await outsider.locator('nav.cc-nav').count()).toBe(0);
    const response = await outsider.goto(`${env.server.issuer}/console/clients`);
    // No console session was kept: a new sign-in (SSO), and 403 again.
    expect(response?.status()).toBe(403);
    await audit(outsider, 'forbidden');
  });
});
