/**
 * Second factors on the account page (issue 15 item 4 with issue 14's factors): the user sees
 * what they hold, never a secret, and removes one — with their password when the sign-in is not
 * recent, and only their own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { totpCode } from '../../src/mfa/totp.ts';
import { TestBrowser, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ RECENT_AUTH_SECONDS: '1' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 0 });
});

type User = Awaited<ReturnType<TestServer['createUser']>>;

/** A user with an active authenticator app; returns its secret. */
async function withTotp(user: User): Promise<string> {
  const enrolment = await server.services.mfa.startTotpEnrolment(user.id, user.username);
  if (!enrolment) throw new Error('no enrolment');
  const codes = await server.services.mfa.confirmTotp(
    user.id,
    totpCode(enrolment.secret, Date.now()),
  );
  if (!codes) throw new Error('the code was refused');
  return enrolment.secret;
}

/** Signs in to /account through the pages: password, then the code of the next time step. */
async function signInToAccount(browser: TestBrowser, user: User, secret: string): Promise<Page> {
  const start = await browser.get(`${server.issuer}/account`);
  const login = await browser.follow(start);
  const afterPassword = await browser.follow(
    await browser.submit(login, '/login', { username: user.username, password: user.password }),
  );
  expect(afterPassword.text).toContain('name="code"');
  const afterCode = await browser.submit(afterPassword, '/mfa/totp', {
    code: totpCode(secret, Date.now() + 30_000),
  });
  const page = await browser.follow(afterCode);
  expect(page.url).toBe(`${server.issuer}/account`);
  return page;
}

const section = (page: Page) =>
  /<section class="pc-account-factors"[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';

describe('second factors on /account', () => {
  it('lists the authenticator app without its secret, and removes it after the password', async () => {
    const user = await server.createUser();
    const secret = await withTotp(user);
    const browser = new TestBrowser();
    const page = await signInToAccount(browser, user, secret);
    expect(section(page)).toContain('Authenticator app');
    expect(page.text).not.toContain(secret);
    // The sign-in is older than RECENT_AUTH_SECONDS by now: the password is asked.
    await new Promise((r) => setTimeout(r, 1100));
    const fresh = await browser.get(`${server.issuer}/account`);
    const wrong = await browser.submit(fresh, '/account/factors/remove', {
      factor: 'totp',
      current_password: 'not the password',
    });
    expect(wrong.status).toBe(400);
    expect((await server.services.mfa.summary(user.id)).totp).toBe('active');
    const removed = await browser.submit(fresh, '/account/factors/remove', {
      factor: 'totp',
      current_password: user.password,
    });
    expect(removed.status).toBe(200);
    expect(removed.text).toContain('The second factor was removed.');
    expect((await server.services.mfa.summary(user.id)).totp).toBe('none');
    expect(section(removed)).not.toContain('Authenticator app');
  });

  it("refuses another account's passkey id or an unknown factor, changing nothing", async () => {
    const user = await server.createUser();
    const secret = await withTotp(user);
    const browser = new TestBrowser();
    const page = await signInToAccount(browser, user, secret);
    for (const factor of ['passkey:someone-elses', 'password', 'x'.repeat(300)]) {
      const refused = await browser.submit(page, '/account/factors/remove', {
        factor,
        current_password: user.password,
      });
      expect(refused.status).toBe(404);
    }
    const tooLong = await browser.submit(page, '/account/factors/remove', {
      factor: 'x'.repeat(301),
      current_password: user.password,
    });
    expect(tooLong.status).toBe(400);
    expect((await server.services.mfa.summary(user.id)).totp).toBe('active');
  });

  it('a form without its CSRF token changes nothing', async () => {
    const user = await server.createUser();
    const secret = await withTotp(user);
    const browser = new TestBrowser();
    const page = await signInToAccount(browser, user, secret);
    const forged = await browser.request(`${server.issuer}/account/factors/remove`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ factor: 'totp', current_password: user.password }).toString(),
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBe(200);
    expect((await server.services.mfa.summary(user.id)).totp).toBe('active');
  });

  it('deleting the account removes its factors too', async () => {
    const user = await server.createUser();
    await withTotp(user);
    await server.accountCentre.lifecycle.deleteAccount(user.id, 'en');
    expect(await server.services.store.credentials.findTotp(user.id)).toBeUndefined();
  });
});
