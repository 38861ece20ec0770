import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { completeSignIn, signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

describe('authorization code flow with PKCE through our login and consent pages', () => {
  it('signs a user in and issues a valid ID token, access token and refresh token', async () => {
    const user = await server.createUser({ name: 'Ada Lovelace' });
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const { auth, tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);

    const claims = tokens.claims();
    expect(claims?.iss).toBe(server.issuer);
    expect(claims?.aud).toBe(client.clientId);
    expect(claims?.sub).toBe(user.id);
    expect(claims?.nonce).toBe(auth.nonce);
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.token_type.toLowerCase()).toBe('bearer');

    const info = await oidc.fetchUserInfo(rp, tokens.access_token, user.id);
    expect(info).toMatchObject({
      sub: user.id,
      email: user.email,
      email_verified: true,
      name: 'Ada Lovelace',
      preferred_username: user.username,
    });
  });

  it('redirects back with iss and state and uses 303 after the login and consent posts (RFC 9700 §4.12, RFC 9207)', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    expect(auth.page.status).toBe(200);
    expect(auth.page.url).toMatch(/\/interaction\/[\w-]+$/);

    const afterLogin = await browser.submit(auth.page, '/login', {
      username: user.username,
      password: user.password,
    });
    expect(afterLogin.status).toBe(303);
    const consent = await browser.follow(afterLogin, client.redirectUri);
    expect(consent.text).toContain('name="decision"');
    const afterConsent = await browser.submit(consent, '/consent', { decision: 'approve' });
    expect(afterConsent.status).toBe(303);
    const back = await browser.follow(afterConsent, client.redirectUri);
    const callback = new URL(back.location ?? '');
    expect(callback.searchParams.get('state')).toBe(auth.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('skips login and consent on a second sign-in in the same browser (SSO)', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    await signInAndRedeem(browser, rp, user, client.redirectUri);

    const again = await startAuthorization(browser, rp, client.redirectUri, { prompt: 'none' });
    expect(again.page.location?.startsWith(client.redirectUri)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(again.page.location ?? ''), {
      pkceCodeVerifier: again.verifier,
      expectedState: again.state,
      expectedNonce: again.nonce,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('answers prompt=none without a session with login_required', async () => {
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const auth = await startAuthorization(new TestBrowser(), rp, client.redirectUri, {
      prompt: 'none',
    });
    const callback = new URL(auth.page.location ?? '');
    expect(callback.searchParams.get('error')).toBe('login_required');
  });

  it('returns access_denied to the client when the user denies consent', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    const consent = await browser.follow(
      await browser.submit(auth.page, '/login', {
        username: user.username,
        password: user.password,
      }),
      client.redirectUri,
    );
    const denied = await browser.follow(
      await browser.submit(consent, '/consent', { decision: 'deny' }),
      client.redirectUri,
    );
    const callback = new URL(denied.location ?? '');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(auth.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('returns access_denied when the user cancels on the login page', async () => {
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    const cancelled = await browser.follow(
      await browser.submit(auth.page, '/abort', {}),
      client.redirectUri,
    );
    expect(new URL(cancelled.location ?? '').searchParams.get('error')).toBe('access_denied');
  });

  it('shows the client name and each requested scope in plain words on the consent page', async () => {
    const user = await server.createUser();
    const client = await server.createClient({ client_name: 'Acme Notes' });
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    expect(auth.page.text).toContain('Acme Notes');
    const consent = await browser.follow(
      await browser.submit(auth.page, '/login', {
        username: user.username,
        password: user.password,
      }),
      client.redirectUri,
    );
    expect(consent.text).toContain('Acme Notes');
    expect(consent.text).toContain('Your email address');
    expect(consent.text).not.toContain('offline_access');
    await completeSignIn(browser, { ...auth, page: consent }, user, client.redirectUri);
  });
});
