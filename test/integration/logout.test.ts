import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function signedIn() {
  const user = await server.createUser();
  const client = await server.createClient();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const browser = new TestBrowser();
  const { tokens } = await signInAndRedeem(browser, rp, user, client.redirectUri);
  return { user, client, rp, browser, tokens };
}

async function silentSignIn(
  browser: TestBrowser,
  rp: oidc.Configuration,
  redirectUri: string,
): Promise<string | null> {
  const probe = await startAuthorization(browser, rp, redirectUri, { prompt: 'none' });
  return new URL(probe.page.location ?? '').searchParams.get('error');
}

describe('RP-initiated logout', () => {
  it('asks for confirmation, ends the session and returns to the registered post_logout_redirect_uri', async () => {
    const { rp, browser, tokens, client } = await signedIn();
    const endSession = oidc.buildEndSessionUrl(rp, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'https://rp.example/signed-out',
      state: 'bye',
    });
    const confirm = await browser.get(endSession.href);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('name="logout"');
    expect(confirm.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");

    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.status).toBe(303);
    const back = new URL(done.location ?? '');
    expect(back.origin + back.pathname).toBe('https://rp.example/signed-out');
    expect(back.searchParams.get('state')).toBe('bye');

    // ASVS 7.4.1: the session is gone on the server, not only in the browser.
    expect(await silentSignIn(browser, rp, client.redirectUri)).toBe('login_required');
  });

  it('shows the signed-out page when no post_logout_redirect_uri is given', async () => {
    const { browser, rp, client } = await signedIn();
    const confirm = await browser.get(`${server.issuer}/session/end`);
    expect(confirm.status).toBe(200);
    const done = await browser.follow(
      await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' }),
    );
    expect(done.status).toBe(200);
    expect(done.text).toContain('You have been signed out');
    expect(done.text).not.toContain('still signed in');
    expect(await silentSignIn(browser, rp, client.redirectUri)).toBe('login_required');
  });

  it('keeps the session when the user chooses to stay signed in (ASVS 10.6.2: no forced logout)', async () => {
    const { browser, rp, client } = await signedIn();
    const confirm = await browser.get(`${server.issuer}/session/end`);
    const page = await browser.follow(await browser.submit(confirm, '/session/end/confirm', {}));
    // The page must not claim a sign-out that did not happen.
    expect(page.text).toContain('You are still signed in');
    expect(page.text).not.toContain('You have been signed out');
    expect(await silentSignIn(browser, rp, client.redirectUri)).toBeNull();
  });

  it('does not log out on a cross-site post without the form token', async () => {
    const { browser, rp, client } = await signedIn();
    const res = await browser.request(`${server.issuer}/session/end/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'logout=yes',
    });
    expect(res.status).toBe(400);
    expect(await silentSignIn(browser, rp, client.redirectUri)).toBeNull();
  });

  it('refuses a post_logout_redirect_uri the client did not register (B2: no open redirect)', async () => {
    const { rp, browser, tokens } = await signedIn();
    const endSession = oidc.buildEndSessionUrl(rp, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'https://evil.example/',
    });
    const res = await browser.get(endSession.href);
    expect(res.status).toBe(400);
    expect(res.location).toBeUndefined();
  });
});
