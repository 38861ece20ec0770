import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseForms, TestBrowser, type Page } from '../helpers/test-browser.ts';
import { startTestServer, unique, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { signInToConsole, type ConsoleUser } from '../helpers/console-sign-in.ts';

/**
 * The admin console over HTTP (issue 17; the Chromium run is test/e2e/console.test.ts): sign-in
 * through the server itself, who may enter, CSRF on every form, clickjacking headers, and the
 * audit trail naming the console user.
 */

let server: TestServer;
let admin: ConsoleUser & { id: string };
let plain: ConsoleUser & { id: string };
/** A second admin, for a second console session (each TOTP step signs in once). */
let other: ConsoleUser & { id: string };

beforeAll(async () => {
  const adminName = unique('root');
  const otherName = unique('root2');
  server = await startTestServer({
    CONSOLE_ADMINS: `${adminName},${otherName}`,
    CONSOLE_REAUTH_SECONDS: '300',
  });
  admin = await server.createUser({ username: adminName });
  other = await server.createUser({ username: otherName });
  plain = await server.createUser();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

/** From `path` through the sign-in (password, second factor, consent) back to the console. */
const signIn = async (user: ConsoleUser, path = '/console') =>
  signInToConsole(server.issuer, user, { path });

/**
 * The admin's console session most tests share: a TOTP code works once per 30-second step, so
 * signing in for every test would wait for codes.
 */
let shared: Promise<Awaited<ReturnType<typeof signIn>>> | undefined;
const adminSession = () => (shared ??= signIn(admin));

const csrfOf = (page: Page) => parseForms(page.text)[0]?.fields.csrf ?? '';

describe('admin console', () => {
  it('lets a listed admin in through code + PKCE sign-in, and shows the dashboard', async () => {
    const { page, steps } = await adminSession();
    // The console's client requires a second factor: an admin without one enrols a TOTP app.
    expect(steps).toEqual(['password', 'enrol', 'recovery-codes', 'consent']);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${server.issuer}/console`);
    expect(page.text).toContain('Dashboard');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).not.toContain('<script');
    const client = await server.services.store.oidc.find('Client', 'portcullis-console');
    expect(client?.mfa).toBe('required');
  });

  it('asks an admin who has a second factor for it at every sign-in', async () => {
    const { page, steps } = await signIn(admin, '/console/keys');
    // A new browser: consent is asked again there; the point is the code instead of enrolment.
    expect(steps.slice(0, 2)).toEqual(['password', 'totp']);
    expect(page.url).toBe(`${server.issuer}/console/keys`);
  });

  it('answers 403 and shows nothing to a user who is not an admin', async () => {
    const { browser, page: denied } = await signIn(plain, '/console/clients');
    expect(denied.status).toBe(403);
    expect(denied.text).not.toContain('Clients</a>');
    expect(denied.text).not.toContain(admin.username);
    // And no console session was left behind.
    expect((await browser.get(`${server.issuer}/console/clients`)).status).toBe(302);
  });

  it('lets in a holder of console.adminRoles (through a group), and shuts it when the role goes', async () => {
    const store = server.services.store.accessControl;
    const now = Date.now();
    const group = unique('operators');
    const holder: ConsoleUser & { id: string } = await server.createUser();
    // The default role (config/default.json), given to a group the user is in.
    if (!(await store.findRole('portcullis-admin')))
      await store.createRole({
        name: 'portcullis-admin',
        description: 'console',
        createdAt: now,
        updatedAt: now,
      });
    await store.createGroup({ name: group, description: '', createdAt: now, updatedAt: now });
    await store.addMember(group, { kind: 'account', id: holder.id });
    await store.assignRole('portcullis-admin', { kind: 'group', id: group });

    const { browser, page } = await signIn(holder, '/console/users');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Users');

    await store.unassignRole('portcullis-admin', { kind: 'group', id: group });
    const after = await browser.get(`${server.issuer}/console/users`);
    expect(after.status).toBe(403);
    expect(after.text).not.toContain(admin.username);
  });

  it('refuses a form without the session CSRF token, and changes nothing', async () => {
    const { browser, page } = await adminSession();
    const name = unique('csrf-app');
    const noToken = await browser.request(`${server.issuer}/console/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_name: name }).toString(),
    });
    expect(noToken.status).toBe(403);
    const wrongToken = await browser.request(`${server.issuer}/console/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_name: name, csrf: `${csrfOf(page)}x` }).toString(),
    });
    expect(wrongToken.status).toBe(403);
    // Another admin session's token does not work either (bound to the session).
    const second = await signIn(other);
    const foreign = await browser.request(`${server.issuer}/console/clients`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_name: name, csrf: csrfOf(second.page) }).toString(),
    });
    expect(foreign.status).toBe(403);
    const list = await browser.get(`${server.issuer}/console/clients?q=${name}`);
    expect(list.text).not.toContain(`>${name}</a>`);
  });

  it('creates a client, shows its secret once, rotates it; audited as the console user', async () => {
    const { browser, page: home } = await adminSession();
    const form = await browser.get(`${server.issuer}/console/clients/new`);
    const name = unique('console-app');
    const created = await browser.submit(form, '/console/clients', {
      client_name: name,
      redirect_uris: 'https://app.example.com/callback',
      confidential: 'yes',
    });
    expect(created.status).toBe(200);
    const secret = /id="secret"[^>]*value="([^"]+)"/.exec(created.text)?.[1];
    expect(secret).toBeDefined();
    const clientId = /\/console\/clients\/([^/"]+)\/delete/.exec(created.text)?.[1] ?? '';
    const shownAgain = await browser.get(`${server.issuer}/console/clients/${clientId}`);
    expect(shownAgain.text).not.toContain(secret);
    // Rotating asks first: a confirmation page whose form is the only way to the new secret.
    expect(parseForms(shownAgain.text).some((f) => f.action.endsWith('/rotate-secret'))).toBe(
      false,
    );
    const confirmRotation = await browser.get(
      `${server.issuer}/console/clients/${clientId}/rotate-secret`,
    );
    const rotated = await browser.submit(confirmRotation, '/rotate-secret', {});
    const newSecret = /id="secret"[^>]*value="([^"]+)"/.exec(rotated.text)?.[1];
    expect(newSecret).toBeDefined();
    expect(newSecret).not.toBe(secret);

    const confirm = await browser.get(`${server.issuer}/console/clients/${clientId}/delete`);
    const deleted = await browser.submit(confirm, `/clients/${clientId}/delete`, {});
    expect(deleted.status).toBe(303);
    const events = await server.services.store.events.list(
      { typePrefix: 'admin.client.', clientId },
      { limit: 10 },
    );
    expect(events.items.map((e) => [e.type, e.actor]).reverse()).toEqual([
      ['admin.client.created', `console:${admin.username}`],
      ['admin.client.secret_rotated', `console:${admin.username}`],
      ['admin.client.deleted', `console:${admin.username}`],
    ]);
    expect(home.status).toBe(200);
  });

  it("shows a user's sessions, ends them, resets factors and deletes the user after a confirmation", async () => {
    const { browser } = await adminSession();
    const target = await server.createUser();
    const app = await server.createClient();
    const rp = await server.rp(app.clientId, app.clientSecret);
    await signInAndRedeem(new TestBrowser(), rp, target, app.redirectUri);
    const sessions = () => server.services.store.oidc.findByAccountId('Session', target.id, 10);
    expect((await sessions()).length).toBe(1);

    const userPage = await browser.get(`${server.issuer}/console/users/${target.id}`);
    expect(userPage.text).toContain('Sessions');
    // POST-redirect-GET: each change answers 303 back to the user's page, which says it is done.
    const ending = await browser.submit(userPage, '/sessions/end', {});
    expect(ending.status).toBe(303);
    const ended = await browser.follow(ending);
    expect(ended.text).toContain('role="status"');
    expect(await sessions()).toEqual([]);
    const confirmReset = await browser.get(
      `${server.issuer}/console/users/${target.id}/factors/reset`,
    );
    expect(confirmReset.text).toContain(target.username);
    const reset = await browser.submit(confirmReset, '/factors/reset', {});
    expect(reset.status).toBe(303);

    const confirm = await browser.get(`${server.issuer}/console/users/${target.id}/delete`);
    expect(confirm.text).toContain(target.username);
    const deleted = await browser.submit(confirm, `/users/${target.id}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(await server.services.store.accounts.findById(target.id)).toBeUndefined();
    const audit = await server.services.store.events.list(
      { typePrefix: 'admin.user.' },
      { limit: 20 },
    );
    expect(
      audit.items.filter((e) => e.actor === `console:${admin.username}`).map((e) => e.type),
    ).toEqual(expect.arrayContaining(['admin.user.mfa_reset']));
  });

  it('asks for a fresh sign-in (max_age) before a dangerous action when the sign-in is old', async () => {
    const strict = await startTestServer({
      CONSOLE_ADMINS: 'fresh-root',
      CONSOLE_REAUTH_SECONDS: '1',
    });
    try {
      const user: ConsoleUser = await strict.createUser({ username: 'fresh-root' });
      const browser = new TestBrowser();
      const { page: keys } = await signInToConsole(strict.issuer, user, {
        path: '/console/keys',
        browser,
      });
      expect(keys.url).toBe(`${strict.issuer}/console/keys`);
      const before = (await strict.services.store.keys.list()).length;
      await new Promise((resolve) => setTimeout(resolve, 2100));

      const confirm = await browser.get(`${strict.issuer}/console/keys/rotate`);
      const refused = await browser.submit(confirm, '/keys/rotate', {});
      expect(refused.status).toBe(303);
      expect(refused.location).toContain('/console/login?max_age=1');
      expect((await strict.services.store.keys.list()).length).toBe(before);
      // The OP session is older than max_age: the sign-in page again (password and second
      // factor), not a silent SSO.
      const refusedAt = new URL(refused.location ?? '');
      const { page: again, steps } = await signInToConsole(strict.issuer, user, {
        path: `${refusedAt.pathname}${refusedAt.search}`,
        browser,
      });
      expect(steps).toEqual(['password', 'totp']);
      // Back on the confirmation page, where the admin submits again.
      expect(again.url).toBe(`${strict.issuer}/console/keys/rotate`);
      const rotated = await browser.submit(again, '/keys/rotate', {});
      expect(rotated.status).toBe(303);
      expect((await strict.services.store.keys.list()).length).toBeGreaterThan(before);
    } finally {
      await strict.stop({ graceMs: 50 });
    }
  });
});
