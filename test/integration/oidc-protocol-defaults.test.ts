/**
 * Protocol defaults other ecosystems' RP libraries assume (issue 12): RS256 ID tokens unless a
 * client chose otherwise (OIDC Registration §2), scope claims in the ID token, offline_access
 * without prompt=consent once the user approved it (OIDC Core §11), POST to the authorization
 * endpoint (OIDC Core §3.1.2.1), the `claims` parameter (§5.5), `acr`/`amr`, and the PKCE policy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { completeSignIn, signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function appWith(metadata: Record<string, unknown> = {}) {
  const client = await server.createClient(metadata);
  return { client, rp: await server.rp(client.clientId, client.clientSecret) };
}

describe('ID token signing algorithm', () => {
  it('is RS256 for a client that registered none, and discovery lists it', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser();
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('RS256');
    expect(rp.serverMetadata().id_token_signing_alg_values_supported).toContain('RS256');
  });

  it('is the one a client registered', async () => {
    const { client, rp } = await appWith({ id_token_signed_response_alg: 'ES256' });
    const user = await server.createUser();
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    expect(decodeProtectedHeader(tokens.id_token ?? '').alg).toBe('ES256');
  });
});

describe('claims in the ID token', () => {
  it('carries the claims of the granted scopes (email, name) by default', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser({ name: 'Ada Lovelace' });
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri, {
      scope: 'openid profile email',
    });
    const claims = decodeJwt(tokens.id_token ?? '');
    expect(claims).toMatchObject({
      email: user.email,
      email_verified: true,
      name: 'Ada Lovelace',
      preferred_username: user.username,
    });
    expect(typeof claims.updated_at).toBe('number');
  });

  it('leaves them to UserInfo for a client registered with id_token_claims=userinfo', async () => {
    const { client, rp } = await appWith({ id_token_claims: 'userinfo' });
    const user = await server.createUser();
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri, {
      scope: 'openid profile email',
    });
    const claims = decodeJwt(tokens.id_token ?? '');
    expect(claims.email).toBeUndefined();
    expect(claims.name).toBeUndefined();
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub ?? '');
    expect(info).toMatchObject({ email: user.email, name: 'Test User' });
  });

  it('honours the claims request parameter (OIDC Core §5.5): a single claim asked for the ID token', async () => {
    const { client, rp } = await appWith({ id_token_claims: 'userinfo' });
    const user = await server.createUser();
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri, {
      scope: 'openid',
      claims: JSON.stringify({ id_token: { email: { essential: true } } }),
    });
    const claims = decodeJwt(tokens.id_token ?? '');
    expect(claims.email).toBe(user.email);
    expect(claims.name).toBeUndefined();
    expect(rp.serverMetadata().claims_parameter_supported).toBe(true);
  });
});

describe('acr and amr', () => {
  it('answers acr_values with the acr achieved and says how (amr pwd)', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser();
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri, {
      acr_values: 'urn:portcullis:acr:pwd',
    });
    const claims = decodeJwt(tokens.id_token ?? '');
    expect(claims.acr).toBe('urn:portcullis:acr:pwd');
    expect(claims.amr).toEqual(['pwd']);
    expect(rp.serverMetadata().acr_values_supported).toEqual([
      'urn:portcullis:acr:pwd',
      'urn:portcullis:acr:mfa',
      'urn:portcullis:acr:phr',
    ]);
  });

  it('advertises only claims an account can hold, and answers them', async () => {
    const supported = (await server.rp('x')).serverMetadata().claims_supported ?? [];
    expect(supported).toEqual(
      expect.arrayContaining(['updated_at', 'phone_number_verified', 'acr', 'amr']),
    );
    const account = await server.services.accounts.create({
      username: `phone-${Date.now()}`,
      password: 'correct horse battery',
      claims: { phone_number: '+49 30 1234567' },
    });
    const { client, rp } = await appWith();
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri, {
      scope: 'openid phone profile',
    });
    const callback = await completeSignIn(
      browser,
      auth,
      { username: account.username, password: 'correct horse battery' },
      client.redirectUri,
    );
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, account.id);
    expect(info).toMatchObject({ phone_number: '+49 30 1234567', phone_number_verified: false });
    expect(typeof info.updated_at).toBe('number');
  });
});

describe('offline_access without prompt=consent (OIDC Core §11)', () => {
  it('issues a refresh token once the consent page showed offline access and the user approved', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser();
    const browser = new TestBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: client.redirectUri,
      scope: 'openid email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'st-1',
      nonce: 'n-1',
    });
    const login = await browser.follow(await browser.get(url.href), client.redirectUri);
    const afterLogin = await browser.follow(
      await browser.submit(login, '/login', { username: user.username, password: user.password }),
      client.redirectUri,
    );
    expect(afterLogin.text).toContain('name="decision"');
    expect(afterLogin.text).toContain('keep access after you close the app');
    const back = await browser.follow(
      await browser.submit(afterLogin, '/consent', { decision: 'approve' }),
      client.redirectUri,
    );
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.location ?? ''), {
      pkceCodeVerifier: verifier,
      expectedState: 'st-1',
      expectedNonce: 'n-1',
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(' ')).toContain('offline_access');
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    expect(refreshed.access_token).toEqual(expect.any(String));

    // Signed in already and offline access granted: no page is shown again, and a refresh
    // token comes again.
    const verifier2 = oidc.randomPKCECodeVerifier();
    const again = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: client.redirectUri,
      scope: 'openid email offline_access',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier2),
      code_challenge_method: 'S256',
      state: 'st-2',
      nonce: 'n-2',
    });
    const second = await browser.follow(await browser.get(again.href), client.redirectUri);
    expect(second.location?.startsWith(client.redirectUri)).toBe(true);
    const tokens2 = await oidc.authorizationCodeGrant(rp, new URL(second.location ?? ''), {
      pkceCodeVerifier: verifier2,
      expectedState: 'st-2',
      expectedNonce: 'n-2',
    });
    expect(tokens2.refresh_token).toEqual(expect.any(String));
  });

  it('still shows the page when the client itself asks for prompt=consent', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser();
    const browser = new TestBrowser();
    await signInAndRedeem(browser, rp, user, client.redirectUri);
    const auth = await startAuthorization(browser, rp, client.redirectUri, { prompt: 'consent' });
    expect(auth.page.text).toContain('name="decision"');
  });

  it('cannot be forced by a client that sends the internal marker itself', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser();
    const browser = new TestBrowser();
    await signInAndRedeem(browser, rp, user, client.redirectUri, { scope: 'openid email' });
    // The user approved `openid email` only; offline access was never shown to them.
    const auth = await startAuthorization(browser, rp, client.redirectUri, {
      scope: 'openid email offline_access',
      prompt: 'login',
      portcullis_offline_consent: '1',
    });
    const afterLogin = await browser.follow(
      await browser.submit(auth.page, '/login', {
        username: user.username,
        password: user.password,
      }),
      client.redirectUri,
    );
    expect(afterLogin.text).toContain('name="decision"');
  });
});

describe('POST to the authorization endpoint (OIDC Core §3.1.2.1)', () => {
  it('is answered with a 303 to the same request as GET, and the sign-in completes', async () => {
    const { client, rp } = await appWith();
    const user = await server.createUser();
    const browser = new TestBrowser();
    const verifier = oidc.randomPKCECodeVerifier();
    const params = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUri,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'post-state',
      nonce: 'post-nonce',
    });
    const posted = await browser.request(`${server.issuer}/auth`, {
      method: 'POST',
      body: params.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(posted.status).toBe(303);
    const target = new URL(posted.location ?? '');
    expect(target.pathname).toBe('/auth');
    expect(target.searchParams.get('client_id')).toBe(client.clientId);
    const auth = {
      state: 'post-state',
      nonce: 'post-nonce',
      verifier,
      page: await browser.follow(posted, client.redirectUri),
    };
    const callback = await completeSignIn(browser, auth, user, client.redirectUri);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
      pkceCodeVerifier: verifier,
      expectedState: 'post-state',
      expectedNonce: 'post-nonce',
    });
    expect(decodeJwt(tokens.id_token ?? '').email).toBe(user.email);
  });

  it('refuses a body that is not a form', async () => {
    const res = await fetch(`${server.issuer}/auth`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
  });
});

describe('PKCE policy', () => {
  it('requires PKCE from every client by default', async () => {
    const { client, rp } = await appWith();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: client.redirectUri,
      scope: 'openid',
      state: 's',
      nonce: 'n',
    });
    const page = await new TestBrowser().get(url.href);
    expect(page.location).toContain('error=invalid_request');
    expect(decodeURIComponent(page.location ?? '')).toMatch(/PKCE/);
  });

  it('with PKCE_REQUIRED=public lets a confidential client omit it, but never a public one', async () => {
    const relaxed = await startTestServer({ PKCE_REQUIRED: 'public' });
    try {
      const user = await relaxed.createUser();
      const confidential = await relaxed.createClient();
      const rp = await relaxed.rp(confidential.clientId, confidential.clientSecret);
      const browser = new TestBrowser();
      const url = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: confidential.redirectUri,
        scope: 'openid',
        state: 's1',
        nonce: 'n1',
        prompt: 'consent',
      });
      const page = await browser.follow(await browser.get(url.href), confidential.redirectUri);
      const callback = await completeSignIn(
        browser,
        { state: 's1', nonce: 'n1', verifier: '', page },
        user,
        confidential.redirectUri,
      );
      const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
        expectedState: 's1',
        expectedNonce: 'n1',
      });
      expect(tokens.id_token).toEqual(expect.any(String));

      const pub = await relaxed.createClient({ token_endpoint_auth_method: 'none' });
      const publicRp = await relaxed.rp(pub.clientId);
      const refused = await new TestBrowser().get(
        oidc.buildAuthorizationUrl(publicRp, {
          redirect_uri: pub.redirectUri,
          scope: 'openid',
          state: 's2',
        }).href,
      );
      expect(refused.location).toContain('error=invalid_request');
    } finally {
      await relaxed.stop({ graceMs: 100 });
    }
  });
});
