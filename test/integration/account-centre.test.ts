/**
 * The account centre (issue 15 item 4) over HTTP, as a browser without JavaScript uses it, with
 * openid-client as the app: signing in to /account through Portcullis itself, the profile,
 * email change confirmed at the new address, password change, sessions (end one: its app gets a
 * logout token and prompt=none answers login_required), connected apps (revoke: refresh fails,
 * introspection inactive), export and deletion. Hostile input: CSRF on every form, another
 * user's session or grant id, posts without a session — each a clear 4xx that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import {
  startBackchannelReceiver,
  verifyLogoutToken,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { TestBrowser, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
let sink: SmtpSink;
let receiver: BackchannelReceiver;
let api: { clientId: string; clientSecret: string };

beforeAll(async () => {
  sink = await startSmtpSink();
  receiver = await startBackchannelReceiver();
  server = await startTestServer({
    EMAIL_TRANSPORT: 'smtp',
    SMTP_URL: sink.url,
    SMTP_REQUIRE_TLS: 'false',
    BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
    // Sensitive actions ask for the password unless the sign-in is this recent.
    RECENT_AUTH_SECONDS: '1',
  });
  api = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
});
afterAll(async () => {
  await server?.stop({ graceMs: 0 });
  await receiver?.close();
  await sink?.close();
});

type User = Awaited<ReturnType<TestServer['createUser']>>;

/** Opens /account signed out: the sign-in page, the login, then back to /account. */
async function signInToAccount(browser: TestBrowser, user: User, path = '/account'): Promise<Page> {
  const start = await browser.get(`${server.issuer}${path}`);
  expect(start.status).toBe(303);
  expect(start.location).toContain('client_id=portcullis-account');
  const login = await browser.follow(start);
  expect(login.text).toContain('name="password"');
  const after = await browser.submit(login, '/login', {
    username: user.username,
    password: user.password,
  });
  expect(after.status).toBe(303);
  const page = await browser.follow(after);
  expect(page.status).toBe(200);
  expect(page.url).toBe(`${server.issuer}${path}`);
  return page;
}

async function appFor(user: User, browser: TestBrowser, path: string) {
  const app = await server.createClient({
    backchannel_logout_uri: `${receiver.url}${path}`,
    backchannel_logout_session_required: true,
  });
  const rp = await server.rp(app.clientId, app.clientSecret);
  const { tokens } = await signInAndRedeem(browser, rp, user, app.redirectUri);
  return { app, rp, tokens };
}

async function introspect(token: string): Promise<boolean> {
  const apiRp = await server.rp(api.clientId, api.clientSecret);
  return (await oidc.tokenIntrospection(apiRp, token)).active;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('signing in to the account centre', () => {
  it('signs in through Portcullis with the built-in client, and shows the profile', async () => {
    const user = await server.createUser({ name: 'Ada Lovelace' });
    const page = await signInToAccount(new TestBrowser(), user);
    expect(page.text).toContain(`Signed in as ${user.username}`);
    expect(page.text).toContain('value="Ada Lovelace"');
    expect(page.text).toContain(user.email);
    expect(page.text).toContain('id="second-factors"');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('uses the session an app sign-in left: no second login, and never a consent page', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    await appFor(user, browser, '/sso');
    const start = await browser.get(`${server.issuer}/account/sessions`);
    const page = await browser.follow(start);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${server.issuer}/account/sessions`);
  });

  it('refuses a callback this browser did not start (400) and a post without a session', async () => {
    const browser = new TestBrowser();
    const callback = await browser.get(`${server.issuer}/account/callback?code=x&state=y`);
    expect(callback.status).toBe(400);
    const post = await browser.request(`${server.issuer}/account/profile`, {
      method: 'POST',
      body: 'csrf=x&name=Mallory',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post.status).toBe(303);
    expect(post.location).toBe(`${server.issuer}/account`);
  });
});

describe('profile, email and password', () => {
  it('changes the name, and refuses the form without its CSRF token', async () => {
    const user = await server.createUser({ name: 'Old Name' });
    const browser = new TestBrowser();
    const page = await signInToAccount(browser, user);
    const forged = await browser.submit(page, '/account/profile', { name: 'Forged', csrf: 'x' });
    expect(forged.status).toBe(403);
    expect((await server.services.accounts.findById(user.id))?.claims.name).toBe('Old Name');
    const saved = await browser.submit(page, '/account/profile', { name: 'New Name' });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain('Your profile has been saved.');
    expect((await server.services.accounts.findById(user.id))?.claims.name).toBe('New Name');
  });

  it('changes the email only once confirmed at the new address, telling the old one', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const page = await signInToAccount(browser, user);
    await sleep(1100); // past RECENT_AUTH_SECONDS: the current password is asked
    const fresh = await browser.get(`${server.issuer}/account`);
    expect(fresh.text).toContain('name="current_password"');
    const newEmail = `new-${user.username}@example.org`;
    const wrong = await browser.submit(fresh, '/account/email', {
      email: newEmail,
      current_password: 'not the password',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('The current password is not correct.');
    const asked = await browser.submit(fresh, '/account/email', {
      email: newEmail,
      current_password: user.password,
    });
    expect(asked.status).toBe(200);
    expect((await server.services.accounts.findById(user.id))?.email).toBe(user.email);
    const notice = await sink.waitFor(user.email, (m) => m.subject.includes('being changed'));
    expect(notice.text).toContain(newEmail);
    const confirm = await sink.waitFor(newEmail);
    const link = /(http:\S+\/verify-email\?token=[A-Za-z0-9_-]{43})/.exec(confirm.text)?.[1] ?? '';
    const other = new TestBrowser();
    const button = await other.get(link);
    expect(button.status).toBe(200);
    // The GET alone changes nothing (mail scanners follow links).
    expect((await server.services.accounts.findById(user.id))?.email).toBe(user.email);
    const done = await other.submit(button, '/verify-email', {});
    expect(done.status).toBe(200);
    const changed = await server.services.accounts.findById(user.id);
    expect(changed?.email).toBe(newEmail);
    expect(changed?.emailVerified).toBe(true);
    expect((await other.submit(button, '/verify-email', {})).status).toBe(400);
    void page;
  });

  it('changes the password only with the current one, then every session ends', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const { rp, tokens } = await appFor(user, browser, '/pw');
    const page = await signInToAccount(new TestBrowser(), user);
    const wrong = await new TestBrowser().submit(page, '/account/password', {});
    expect(wrong.status).toBe(303); // another browser: no session, nothing done
    const browserB = new TestBrowser();
    const pageB = await signInToAccount(browserB, user);
    const refused = await browserB.submit(pageB, '/account/password', {
      current_password: 'wrong',
      password: 'a new long passphrase',
      confirm: 'a new long passphrase',
    });
    expect(refused.status).toBe(400);
    const changed = await browserB.submit(pageB, '/account/password', {
      current_password: user.password,
      password: 'a new long passphrase',
      confirm: 'a new long passphrase',
    });
    expect(changed.status).toBe(200);
    expect(
      await server.services.accounts.authenticate(user.username, 'a new long passphrase'),
    ).toBeDefined();
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await waitFor(() => receiver.deliveries.some((d) => d.path === '/pw'));
    expect(receiver.deliveries.some((d) => d.path === '/pw')).toBe(true);
  });
});

describe('sessions and devices', () => {
  it('lists both sessions, marks this device, and ends the other: logout token, then login_required', async () => {
    const user = await server.createUser();
    const browserA = new TestBrowser();
    const browserB = new TestBrowser();
    const { app, rp } = await appFor(user, browserB, '/sessions-b');
    const page = await signInToAccount(browserA, user, '/account/sessions');
    expect(page.text).toContain('This device');
    const forms = [...page.text.matchAll(/name="session" value="([^"]+)"/g)].map((m) => m[1]);
    expect(forms).toHaveLength(1);
    expect(page.text).toContain('Test App');

    const ended = await browserA.submit(page, '/account/sessions/end', {});
    expect(ended.status).toBe(200);
    expect(ended.text).toContain('The session has been signed out.');
    await waitFor(() => receiver.deliveries.some((d) => d.path === '/sessions-b'));
    const delivery = receiver.deliveries.find((d) => d.path === '/sessions-b');
    const { payload } = await verifyLogoutToken(server.issuer, delivery?.token ?? '', app.clientId);
    expect(payload.sub).toBe(user.id);

    // B's app asks silently: the session is gone.
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: app.redirectUri,
      scope: 'openid',
      prompt: 'none',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const silent = await browserB.follow(await browserB.get(url.href), app.redirectUri);
    expect(silent.location).toContain('error=login_required');
    // A is still signed in.
    expect((await browserA.get(`${server.issuer}/account/sessions`)).status).toBe(200);
  });

  it("refuses another user's session id with 404 and ends nothing", async () => {
    const victim = await server.createUser();
    const victimBrowser = new TestBrowser();
    await signInToAccount(victimBrowser, victim);
    const [victimSession] = await server.accountCentre.selfService.listSessions(
      victim.id,
      undefined,
    );
    const attacker = await server.createUser();
    const attackerBrowser = new TestBrowser();
    await signInToAccount(new TestBrowser(), attacker);
    const page = await signInToAccount(attackerBrowser, attacker, '/account/sessions');
    const answer = await attackerBrowser.submit(page, '/account/sessions/end', {
      session: victimSession?.uid ?? '',
    });
    expect(answer.status).toBe(404);
    expect(await server.services.store.oidc.findByAccountId('Session', victim.id, 10)).toHaveLength(
      1,
    );
    expect((await victimBrowser.get(`${server.issuer}/account`)).status).toBe(200);
  });

  it('signs every other session out, keeping this one', async () => {
    const user = await server.createUser();
    const browsers = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
    for (const b of browsers.slice(1)) await signInToAccount(b, user);
    const page = await signInToAccount(browsers[0] as TestBrowser, user, '/account/sessions');
    const done = await (browsers[0] as TestBrowser).submit(
      page,
      '/account/sessions/end-others',
      {},
    );
    expect(done.status).toBe(200);
    expect(await server.services.store.oidc.findByAccountId('Session', user.id, 10)).toHaveLength(
      1,
    );
    expect((await (browsers[0] as TestBrowser).get(`${server.issuer}/account`)).status).toBe(200);
    expect((await (browsers[1] as TestBrowser).get(`${server.issuer}/account`)).status).toBe(303);
  });
});

describe('connected apps', () => {
  it('revokes an app: its refresh token fails and its access token is inactive', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const { app, rp, tokens } = await appFor(user, browser, '/apps');
    expect(await introspect(tokens.access_token)).toBe(true);
    const page = await signInToAccount(new TestBrowser(), user, '/account/apps');
    expect(page.text).toContain('Test App');
    expect(page.text).not.toContain('portcullis-account');
    const revoked = await new TestBrowser().submit(page, '/account/apps/revoke', {});
    expect(revoked.status).toBe(303); // no session in that browser: nothing done
    expect(await introspect(tokens.access_token)).toBe(true);

    const browserC = new TestBrowser();
    const pageC = await signInToAccount(browserC, user, '/account/apps');
    const done = await browserC.submit(pageC, '/account/apps/revoke', {});
    expect(done.status).toBe(200);
    expect(done.text).toContain('Access for Test App has been removed');
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await introspect(tokens.access_token)).toBe(false);
    void app;
  });

  it("refuses another user's grant id with 404 and revokes nothing", async () => {
    const victim = await server.createUser();
    const { tokens } = await appFor(victim, new TestBrowser(), '/apps-victim');
    const [grant] = await server.accountCentre.selfService.listGrants(victim.id);
    const attacker = await server.createUser();
    const browser = new TestBrowser();
    const page = await signInToAccount(browser, attacker, '/account/apps');
    // The attacker has no app, so the page has no revoke form: it is posted by hand.
    expect(page.text).not.toContain('name="grant"');
    const profile = await browser.get(`${server.issuer}/account`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(profile.text)?.[1] ?? '';
    const direct = await browser.request(`${server.issuer}/account/apps/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ csrf, grant: grant?.grantId ?? '' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(direct.status).toBe(404);
    expect(await introspect(tokens.access_token)).toBe(true);
  });
});

describe('activity, export and deletion', () => {
  it('shows recent security activity and exports what the pages show as JSON', async () => {
    const user = await server.createUser({ name: 'Export Me' });
    const browser = new TestBrowser();
    const { app } = await appFor(user, browser, '/export');
    const activity = await browser.follow(await browser.get(`${server.issuer}/account/activity`));
    expect(activity.status).toBe(200);
    expect(activity.text).toContain('Signed in');
    const data = await browser.get(`${server.issuer}/account/data`);
    const exported = await browser.submit(data, '/account/data/export', {});
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename="account-/);
    const json = JSON.parse(exported.text) as {
      profile: { sub: string; username: string; claims: { name: string } };
      sessions: { current: boolean }[];
      connectedApps: { clientId: string }[];
      consents: unknown[];
      events: { type: string }[];
      factors: unknown[];
    };
    expect(json.profile).toMatchObject({
      sub: user.id,
      username: user.username,
      claims: { name: 'Export Me' },
    });
    expect(json.sessions).toEqual([expect.objectContaining({ current: true })]);
    expect(json.connectedApps.map((a) => a.clientId)).toEqual([app.clientId]);
    expect(json.consents.length).toBeGreaterThan(0);
    expect(json.events.map((e) => e.type)).toContain('login.succeeded');
    expect(exported.text).not.toMatch(/passwordHash|argon2/);
  });

  it('deletes the account after confirmation: apps told, no token, session or credential left', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const { app, rp, tokens } = await appFor(user, browser, '/deleted');
    const page = await browser.follow(await browser.get(`${server.issuer}/account/data`));
    await sleep(1100);
    const fresh = await browser.get(`${server.issuer}/account/data`);
    const unconfirmed = await browser.submit(fresh, '/account/data/delete', {
      confirm: '',
      current_password: user.password,
    });
    expect(unconfirmed.status).toBe(400);
    const wrong = await browser.submit(fresh, '/account/data/delete', { current_password: 'nope' });
    expect(wrong.status).toBe(400);
    expect(await server.services.accounts.findById(user.id)).toBeDefined();
    const forged = await browser.submit(fresh, '/account/data/delete', {
      current_password: user.password,
      csrf: 'forged',
    });
    expect(forged.status).toBe(403);

    const deleted = await browser.submit(fresh, '/account/data/delete', {
      current_password: user.password,
    });
    expect(deleted.status).toBe(200);
    expect(deleted.text).toContain('Your account has been deleted');
    expect(await server.services.accounts.findById(user.id)).toBeUndefined();
    expect(
      await server.services.accounts.authenticate(user.username, user.password),
    ).toBeUndefined();
    await waitFor(() => receiver.deliveries.some((d) => d.path === '/deleted'));
    const delivery = receiver.deliveries.find((d) => d.path === '/deleted');
    await verifyLogoutToken(server.issuer, delivery?.token ?? '', app.clientId);
    const { store } = server.services;
    for (const model of [
      'Session',
      'Grant',
      'AccessToken',
      'RefreshToken',
      'AuthorizationCode',
    ] as const)
      expect(await store.oidc.findByAccountId(model, user.id, 10)).toEqual([]);
    expect(await store.accountDevices.listSessions(user.id)).toEqual([]);
    expect((await store.events.list({ subject: user.id }, { limit: 10 })).items).toEqual([]);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await sink.waitFor(user.email, (m) => m.subject.includes('was deleted'));
    void page;
  });
});

describe('CSRF on every form of the account pages', () => {
  const FORMS: [string, Record<string, string>][] = [
    ['/account/profile', { name: 'Forged' }],
    ['/account/email', { email: 'forged@example.com' }],
    ['/account/email/verify', {}],
    [
      '/account/password',
      { current_password: 'x', password: 'forged passphrase', confirm: 'forged passphrase' },
    ],
    ['/account/sessions/end', { session: 'x' }],
    ['/account/sessions/end-others', {}],
    ['/account/apps/revoke', { grant: 'x' }],
    ['/account/data/export', {}],
    ['/account/data/delete', { confirm: 'yes' }],
    ['/forgot-password', { email: 'x@example.com' }],
    [
      '/reset-password',
      { token: 'x', password: 'forged passphrase', confirm: 'forged passphrase' },
    ],
    ['/verify-email', { token: 'x' }],
  ];

  it.each(FORMS)(
    'refuses %s without its token, and with a token of another session (403)',
    async (path, fields) => {
      const user = await server.createUser({ name: 'Unchanged' });
      const browser = new TestBrowser();
      const other = new TestBrowser();
      await signInToAccount(browser, user);
      const otherPage = await signInToAccount(other, user);
      const otherToken = /name="csrf" value="([^"]+)"/.exec(otherPage.text)?.[1] ?? '';
      const before = await server.services.store.oidc.findByAccountId('Session', user.id, 10);
      for (const csrf of [undefined, 'forged', otherToken]) {
        const body = new URLSearchParams({ ...fields, ...(csrf === undefined ? {} : { csrf }) });
        const answer = await browser.request(`${server.issuer}${path}`, {
          method: 'POST',
          body: body.toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect({
          path,
          csrf: csrf === otherToken ? 'other session' : csrf,
          status: answer.status,
        }).toEqual({
          path,
          csrf: csrf === otherToken ? 'other session' : csrf,
          status: 403,
        });
      }
      const after = await server.accountCentre.selfService.listSessions(user.id, undefined);
      expect(after).toHaveLength(before.length);
      const account = await server.services.accounts.findById(user.id);
      expect(account).toMatchObject({ email: user.email, claims: { name: 'Unchanged' } });
      expect(
        await server.services.accounts.authenticate(user.username, user.password),
      ).toBeDefined();
    },
  );
});

describe('configuration', () => {
  it('ACCOUNT_SELF_DELETE=false: no delete form, and the post is refused with nothing deleted', async () => {
    const strict = await startTestServer({ ACCOUNT_SELF_DELETE: 'false' });
    try {
      const user = await strict.createUser();
      const browser = new TestBrowser();
      const start = await browser.get(`${strict.issuer}/account/data`);
      const login = await browser.follow(start);
      const page = await browser.follow(
        await browser.submit(login, '/login', { username: user.username, password: user.password }),
      );
      expect(page.text).toContain('contact the administrator');
      expect(page.text).not.toContain('/account/data/delete');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
      const answer = await browser.request(`${strict.issuer}/account/data/delete`, {
        method: 'POST',
        body: new URLSearchParams({ csrf, confirm: 'yes' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(answer.status).toBe(404);
      expect(await strict.services.accounts.findById(user.id)).toBeDefined();
    } finally {
      await strict.stop({ graceMs: 0 });
    }
  });

  it('ACCOUNT_SELF_SERVICE=false: no account pages, no forgot-password link', async () => {
    const off = await startTestServer({ ACCOUNT_SELF_SERVICE: 'false' });
    try {
      for (const path of ['/account', '/account/sessions', '/forgot-password'])
        expect((await fetch(`${off.issuer}${path}`, { redirect: 'manual' })).status).toBe(404);
      // Links sent by email (an admin's reset or invitation) still lead somewhere: here, a bad one.
      expect((await fetch(`${off.issuer}/reset-password?token=x`)).status).toBe(400);
      const { clientId, redirectUri } = await off.createClient();
      const rp = await off.rp(clientId);
      const url = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
      });
      const browser = new TestBrowser();
      const login = await browser.follow(await browser.get(url.href));
      expect(login.text).toContain('name="password"');
      expect(login.text).not.toContain('/forgot-password');
      // The built-in client does not exist either.
      const auth = await fetch(
        `${off.issuer}/auth?client_id=portcullis-account&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(`${off.issuer}/account/callback`)}`,
        { redirect: 'manual' },
      );
      expect(auth.status).toBe(400);
    } finally {
      await off.stop({ graceMs: 0 });
    }
  });
});
