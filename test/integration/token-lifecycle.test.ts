import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { completeSignIn, signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';
import { tokenRequest as rawTokenRequest } from '../helpers/token-request.ts';

let server: TestServer;
let api: { clientId: string; clientSecret: string };
let apiRp: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer();
  // An API registered as a resource server: the only kind of client allowed to introspect.
  api = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
  apiRp = await server.rp(api.clientId, api.clientSecret);
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function freshSignIn() {
  const user = await server.createUser();
  const client = await server.createClient();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const result = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
  return { user, client, rp, ...result };
}

function tokenRequest(
  client: { clientId: string; clientSecret: string },
  body: Record<string, string>,
) {
  return rawTokenRequest(server.issuer, client, body);
}

describe('refresh tokens', () => {
  it('rotates the refresh token on every use (RFC 9700 §4.14.2)', async () => {
    const { rp, tokens, user } = await freshSignIn();
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(user.id);
    const info = await oidc.fetchUserInfo(rp, refreshed.access_token, user.id);
    expect(info.sub).toBe(user.id);
  });

  it('rejects a reused refresh token and revokes the grant (B13, ASVS 10.4.5)', async () => {
    const { rp, tokens, client } = await freshSignIn();
    const first = tokens.refresh_token ?? '';
    const second = await oidc.refreshTokenGrant(rp, first);

    const reuse = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: first });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');

    // The whole grant is gone: the newer refresh token and its access token stop working too.
    const next = await tokenRequest(client, {
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token ?? '',
    });
    expect(next.body.error).toBe('invalid_grant');
    const introspected = await oidc.tokenIntrospection(apiRp, second.access_token);
    expect(introspected.active).toBe(false);
  });

  it('refuses a refresh token presented by another client (B14)', async () => {
    const { tokens } = await freshSignIn();
    const other = await server.createClient();
    const res = await tokenRequest(other, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('refuses a tampered refresh token (B16)', async () => {
    const { tokens, client } = await freshSignIn();
    const rt = tokens.refresh_token ?? '';
    const tampered = `${rt.slice(0, -1)}${rt.endsWith('A') ? 'B' : 'A'}`;
    const res = await tokenRequest(client, {
      grant_type: 'refresh_token',
      refresh_token: tampered,
    });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('stops refreshing for a user who was disabled (ASVS 7.4.2)', async () => {
    const { tokens, client, user } = await freshSignIn();
    await server.services.accounts.setDisabled(user.id, true);
    const res = await tokenRequest(client, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });
});

describe('authorization codes', () => {
  async function codeFor() {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    const callback = await completeSignIn(browser, auth, user, client.redirectUri);
    const code = new URL(callback).searchParams.get('code') ?? '';
    return { user, client, rp, auth, callback, code };
  }

  it('rejects a replayed code and revokes the tokens issued from it (B25, ASVS 10.4.2)', async () => {
    const { client, rp, auth, callback, code } = await codeFor();
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    const replay = await tokenRequest(client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: auth.verifier,
    });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    expect((await oidc.tokenIntrospection(apiRp, tokens.access_token)).active).toBe(false);
    const refresh = await tokenRequest(client, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('lets exactly one of several concurrent redemptions of one code succeed', async () => {
    const { client, auth, code } = await codeFor();
    const body = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: auth.verifier,
    };
    const results = await Promise.all(Array.from({ length: 5 }, () => tokenRequest(client, body)));
    const successes = results.filter((r) => r.status === 200);
    expect(successes).toHaveLength(1);
    for (const failure of results.filter((r) => r.status !== 200)) {
      expect(failure.status).toBe(400);
      expect(failure.body.error).toBe('invalid_grant');
    }
  });

  it('refuses a code redeemed with the wrong PKCE verifier (B7)', async () => {
    const { client, code } = await codeFor();
    const res = await tokenRequest(client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: oidc.randomPKCECodeVerifier(),
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('requires PKCE from confidential clients too (B6, ASVS 10.4.6)', async () => {
    const client = await server.createClient();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: client.redirectUri,
      state: 'st',
    }).toString();
    const page = await new TestBrowser().get(url.href);
    const callback = new URL(page.location ?? '');
    expect(callback.origin + callback.pathname).toBe(client.redirectUri);
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses the plain PKCE method (B9)', async () => {
    const client = await server.createClient();
    const url = new URL(`${server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: client.redirectUri,
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'plain',
    }).toString();
    const page = await new TestBrowser().get(url.href);
    expect(new URL(page.location ?? '').searchParams.get('error')).toBe('invalid_request');
  });
});

describe('client credentials, introspection and revocation', () => {
  it('issues an access token to a client with the client_credentials grant', async () => {
    const worker = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const rp = await server.rp(worker.clientId, worker.clientSecret);
    const tokens = await oidc.clientCredentialsGrant(rp);
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toBeUndefined();
    const introspected = await oidc.tokenIntrospection(apiRp, tokens.access_token);
    expect(introspected).toMatchObject({
      active: true,
      client_id: worker.clientId,
      token_type: 'Bearer',
    });
  });

  it('refuses the client_credentials grant to a client not registered for it (ASVS 10.4.4)', async () => {
    const web = await server.createClient();
    const res = await tokenRequest(web, { grant_type: 'client_credentials' });
    // oidc-provider answers invalid_request here (lib/actions/token.js), with a clear description.
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.error_description).toBe('requested grant type is not allowed for this client');
  });

  it('refuses a wrong client secret with 401 invalid_client (B19)', async () => {
    const web = await server.createClient();
    const res = await tokenRequest(
      { ...web, clientSecret: 'not-the-secret' },
      { grant_type: 'client_credentials' },
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('refuses the password grant (B18)', async () => {
    const web = await server.createClient();
    const res = await tokenRequest(web, { grant_type: 'password', username: 'a', password: 'b' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_grant_type');
  });

  it('lets a resource server introspect a user access token with its claims', async () => {
    const { tokens, user, client } = await freshSignIn();
    const introspected = await oidc.tokenIntrospection(apiRp, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, sub: user.id, client_id: client.clientId });
    expect(introspected.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));
    expect(typeof introspected.exp).toBe('number');
  });

  it('does not let an ordinary client introspect tokens', async () => {
    const { tokens, client } = await freshSignIn();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const res = await oidc.tokenIntrospection(rp, tokens.access_token).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    // Either an explicit refusal or an inactive answer; never the token's details.
    if (res.ok) expect(res.r).toEqual({ active: false });
    else
      expect(String((res.e as { error?: string }).error ?? res.e)).toMatch(/invalid|unauthorized/);
  });

  it('refuses introspection without client authentication (ASVS 10.4.10)', async () => {
    const res = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'whatever' }),
    });
    // RFC 6749 §5.2: invalid_client covers "no client authentication included".
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('makes a revoked access token inactive at once', async () => {
    const { tokens, rp } = await freshSignIn();
    await oidc.tokenRevocation(rp, tokens.access_token);
    expect((await oidc.tokenIntrospection(apiRp, tokens.access_token)).active).toBe(false);
  });

  it('revoking a refresh token ends the grant: the access tokens of that grant turn inactive', async () => {
    const { tokens, rp } = await freshSignIn();
    await oidc.tokenRevocation(rp, tokens.refresh_token ?? '');
    expect((await oidc.tokenIntrospection(apiRp, tokens.access_token)).active).toBe(false);
  });
});
