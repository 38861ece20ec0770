import { afterAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

const dir = tempDir();
let server: TestServer | undefined;

afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dir.remove();
});

describe('a restart on the sqlite store', () => {
  it('keeps users, clients, keys, sessions and tokens', async () => {
    const env = { STORE: 'sqlite', DATA_DIR: dir.path, PORT: String(await freePort()) };
    server = await startTestServer(env);
    const user = await server.createUser();
    const client = await server.createClient();
    const api = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resource_server: true,
    });
    const browser = new TestBrowser();
    const { tokens } = await signInAndRedeem(
      browser,
      await server.rp(client.clientId, client.clientSecret),
      user,
      client.redirectUri,
    );
    const jwksBefore = await (await fetch(`${server.issuer}/jwks`)).json();
    await server.stop({ graceMs: 100 });
    // Let the test's HTTP client notice the closed keep-alive sockets before it talks to the new process.
    await new Promise((resolve) => setTimeout(resolve, 100));

    server = await startTestServer(env);
    const rp = await server.rp(client.clientId, client.clientSecret);

    // Same keys: the JWKS is unchanged and the old ID token still verifies against it.
    expect(await (await fetch(`${server.issuer}/jwks`)).json()).toEqual(jwksBefore);
    // The access token issued before the restart is still good.
    expect((await oidc.fetchUserInfo(rp, tokens.access_token, user.id)).sub).toBe(user.id);
    const introspected = await oidc.tokenIntrospection(
      await server.rp(api.clientId, api.clientSecret),
      tokens.access_token,
    );
    expect(introspected.active).toBe(true);
    // The browser session survives (cookie keys were kept): a silent sign-in succeeds.
    const silent = await startAuthorization(browser, rp, client.redirectUri, { prompt: 'none' });
    const callback = new URL(silent.page.location ?? '');
    expect(callback.searchParams.get('error')).toBeNull();
    const again = await oidc.authorizationCodeGrant(rp, callback, {
      pkceCodeVerifier: silent.verifier,
      expectedState: silent.state,
      expectedNonce: silent.nonce,
    });
    expect(again.claims()?.sub).toBe(user.id);
    // The refresh token from before the restart still rotates.
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    expect(refreshed.claims()?.sub).toBe(user.id);
    // And the user can still sign in with a password in a new browser.
    const fresh = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    expect(fresh.tokens.claims()?.sub).toBe(user.id);
  });
});
