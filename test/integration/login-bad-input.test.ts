import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as oidc from 'openid-client';
import { TestBrowser, parseForms, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { startAuthorization } from '../helpers/sign-in.ts';

let server: TestServer;
let user: Awaited<ReturnType<TestServer['createUser']>>;
let client: Awaited<ReturnType<TestServer['createClient']>>;
let rp: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer();
  user = await server.createUser();
  client = await server.createClient();
  rp = await server.rp(client.clientId, client.clientSecret);
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function loginPage(
  browser = new TestBrowser(),
): Promise<{ browser: TestBrowser; page: Page }> {
  const auth = await startAuthorization(browser, rp, client.redirectUri);
  expect(auth.page.text).toContain('name="password"');
  return { browser, page: auth.page };
}

/** Counts sessions by asking for a silent sign-in: a session exists only if it succeeds. */
async function hasSession(browser: TestBrowser): Promise<boolean> {
  const probe = await startAuthorization(browser, rp, client.redirectUri, { prompt: 'none' });
  return new URL(probe.page.location ?? '').searchParams.get('error') !== 'login_required';
}

function alertText(page: Page): string {
  const inner = /role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(page.text)?.[1] ?? '';
  return inner.replace(/<[^>]*>/g, '').trim();
}

describe('the login page refuses bad credentials with one generic answer (ASVS 6.3.8)', () => {
  it('answers a wrong password with 401, a generic message, the username kept and no session', async () => {
    const { browser, page } = await loginPage();
    const res = await browser.submit(page, '/login', {
      username: user.username,
      password: 'wrong-password',
    });
    expect(res.status).toBe(401);
    expect(alertText(res)).toBe('The username or password is incorrect.');
    expect(res.text).toContain(`value="${user.username}"`);
    expect(res.text).not.toContain('wrong-password');
    expect(await hasSession(browser)).toBe(false);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const a = await loginPage();
    const wrong = await a.browser.submit(a.page, '/login', {
      username: user.username,
      password: 'nope-nope',
    });
    const c = await loginPage();
    const nobody = await c.browser.submit(c.page, '/login', {
      username: 'nobody-at-all',
      password: 'nope-nope',
    });
    expect(nobody.status).toBe(wrong.status);
    expect(alertText(nobody)).toBe(alertText(wrong));
    expect(nobody.headers.getSetCookie().length).toBe(wrong.headers.getSetCookie().length);
  });

  it('answers a disabled account exactly like a wrong password, even with the right password', async () => {
    const disabled = await server.createUser();
    await server.services.accounts.setDisabled(disabled.id, true);
    const { browser, page } = await loginPage();
    const res = await browser.submit(page, '/login', {
      username: disabled.username,
      password: disabled.password,
    });
    expect(res.status).toBe(401);
    expect(alertText(res)).toBe('The username or password is incorrect.');
    expect(await hasSession(browser)).toBe(false);
  });

  it('accepts the email address or a differently-cased username as the login', async () => {
    for (const login of [user.email, user.username.toUpperCase()]) {
      const { browser, page } = await loginPage();
      const res = await browser.submit(page, '/login', {
        username: login,
        password: user.password,
      });
      expect(res.status).toBe(303);
    }
  });

  it('asks again for empty fields with 400', async () => {
    const { browser, page } = await loginPage();
    const res = await browser.submit(page, '/login', { username: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('role="alert"');
  });
});

describe('login form posts are protected (ASVS 3.5.1, 15.3.x)', () => {
  it('refuses a post without the CSRF token with 403 and creates no session', async () => {
    const { browser, page } = await loginPage();
    const form = parseForms(page.text).find((f) => f.action.includes('/login'));
    const res = await browser.request(new URL(form?.action ?? '', page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user.username, password: user.password }).toString(),
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired');
    expect(await hasSession(browser)).toBe(false);
  });

  it('refuses a CSRF token from another sign-in', async () => {
    const first = await loginPage();
    const second = await loginPage();
    const foreignToken =
      parseForms(first.page.text).find((f) => f.action.includes('/login'))?.fields.csrf ?? '';
    const res = await second.browser.submit(second.page, '/login', {
      username: user.username,
      password: user.password,
      csrf: foreignToken,
    });
    expect(res.status).toBe(403);
    expect(await hasSession(second.browser)).toBe(false);
  });

  it('refuses a post to another interaction than the one in the cookie', async () => {
    const mine = await loginPage();
    const theirs = await loginPage();
    const theirForm = parseForms(theirs.page.text).find((f) => f.action.includes('/login'));
    // Our browser's cookies, their interaction's URL and token.
    const res = await mine.browser.request(new URL(theirForm?.action ?? '', theirs.page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        ...theirForm?.fields,
        username: user.username,
        password: user.password,
      }).toString(),
    });
    expect([400, 403]).toContain(res.status);
    expect(await hasSession(mine.browser)).toBe(false);
  });

  it('refuses a JSON body with 415', async () => {
    const { browser, page } = await loginPage();
    const form = parseForms(page.text).find((f) => f.action.includes('/login'));
    const res = await browser.request(new URL(form?.action ?? '', page.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...form?.fields, username: user.username, password: user.password }),
    });
    expect(res.status).toBe(415);
  });

  it('refuses an oversized body with 413', async () => {
    const { browser, page } = await loginPage();
    const res = await browser.submit(page, '/login', {
      username: 'x'.repeat(100_000),
      password: 'y',
    });
    expect(res.status).toBe(413);
  });

  it('refuses a field sent twice with 400 (parameter pollution)', async () => {
    const { browser, page } = await loginPage();
    const res = await browser.submit(
      page,
      '/login',
      { username: user.username, password: user.password },
      `&username=${encodeURIComponent('other')}`,
    );
    expect(res.status).toBe(400);
    expect(await hasSession(browser)).toBe(false);
  });

  it('treats operator-looking field names and values as plain text (NoSQL injection)', async () => {
    const { browser, page } = await loginPage();
    const res = await browser.submit(
      page,
      '/login',
      { username: '{"$gt":""}', password: '{"$ne":null}' },
      '&login%5B%24ne%5D=x&__proto__%5Badmin%5D=1',
    );
    expect(res.status).toBe(401);
    expect(await hasSession(browser)).toBe(false);
  });

  it('refuses sign-in actions over GET (ASVS 3.5.3)', async () => {
    const { browser, page } = await loginPage();
    const form = parseForms(page.text).find((f) => f.action.includes('/login'));
    const url = new URL(form?.action ?? '', page.url);
    url.search = new URLSearchParams({
      username: user.username,
      password: user.password,
    }).toString();
    const res = await browser.get(url.href);
    expect(res.status).toBe(405);
    expect(await hasSession(browser)).toBe(false);
  });

  it('shows a friendly page when the sign-in cookie is gone (expired interaction)', async () => {
    const { page } = await loginPage();
    const fresh = new TestBrowser();
    const res = await fresh.get(page.url);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Start again from the application');
    expect(res.text).not.toMatch(/at \w+ \(/); // no stack trace
  });
});

describe('authorization requests with bad parameters', () => {
  const variants = [
    'https://rp.example/callback/x',
    'https://rp.example/callback/../evil',
    'https://rp.example/callback?x=1',
    'https://rp.example/callback/',
    'https://RP.example/callback',
    'http://rp.example/callback',
    'https://rp.example:444/callback',
    'https://rp.example@evil.example/callback',
    'https://rp.example.evil.example/callback',
  ];

  it.each(variants)(
    'refuses the unregistered redirect_uri %s with an error page and no redirect (B1)',
    async (redirectUri) => {
      const url = new URL(`${server.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: client.clientId,
        response_type: 'code',
        scope: 'openid',
        redirect_uri: redirectUri,
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      }).toString();
      const res = await new TestBrowser().get(url.href);
      expect(res.status).toBe(400);
      expect(res.location).toBeUndefined();
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.text).toContain('redirect_uri');
      expect(res.text).toMatch(/Reference: [\w-]+/);
    },
  );

  it('refuses an unknown client with an error page and no redirect (B3)', async () => {
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'no-such-client',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://evil.example/cb',
    }).toString();
    const res = await new TestBrowser().get(url.href);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
    expect(res.text).toContain('client is invalid');
  });

  it('refuses implicit and hybrid response types (B11)', async () => {
    for (const responseType of ['token', 'id_token token', 'code id_token']) {
      const url = new URL(`${server.issuer}/auth`);
      url.search = new URLSearchParams({
        client_id: client.clientId,
        response_type: responseType,
        scope: 'openid',
        redirect_uri: client.redirectUri,
        nonce: 'n',
      }).toString();
      const res = await new TestBrowser().get(url.href);
      const error = res.location
        ? new URL(res.location.replace('#', '?')).searchParams.get('error')
        : res.text;
      expect(error).toMatch(/unsupported_response_type/);
    }
  });
});
