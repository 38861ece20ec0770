/**
 * Consent for APIs (ASVS 10.7.2): when an authorization request names an API (RFC 8707
 * `resource`) with its scopes, the consent page shows that API by its registered name and each
 * scope in the words of its registration, and what the user approves is what the API's token holds.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { completeSignIn, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, unique, type TestServer } from '../helpers/test-server.ts';
import { apiService, introspect, resourceServerClient } from './resource-server-setup.ts';

let server: TestServer;
// The sqlite store, as in production and as the other API tests use.
const dataDir = tempDir();

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

describe('the consent page for a request that names an API', () => {
  it('names the API and describes its scope, and approving yields a token for it with that scope', async () => {
    const introspector = await resourceServerClient(server);
    const identifier = `https://${unique('invoices')}.example.com/v1`;
    await apiService(server).create({
      identifier,
      // Markup in registered text must reach the page as text (the template escapes it).
      name: 'Invoices <API>',
      scopes: [
        { name: 'invoices:read', description: 'See your <b>invoices</b> & receipts' },
        { name: 'invoices:pay', description: 'Pay your invoices' },
      ],
      token_format: 'opaque',
      introspection_client_ids: [introspector.clientId],
    });
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri, {
      scope: 'openid invoices:read',
      resource: identifier,
    });

    const afterLogin = await browser.submit(auth.page, '/login', {
      username: user.username,
      password: user.password,
    });
    expect(afterLogin.status).toBe(303);
    const consent = await browser.follow(afterLogin, client.redirectUri);
    expect(consent.status).toBe(200);
    expect(consent.text).toContain('name="decision"');
    expect(consent.text).toContain('Test App will get access to Invoices &lt;API&gt;:');
    expect(consent.text).toContain('See your &lt;b&gt;invoices&lt;/b&gt; &amp; receipts');
    expect(consent.text).not.toContain('<b>invoices</b>');
    // Only the requested scope is shown, not every scope the API defines.
    expect(consent.text).not.toContain('Pay your invoices');

    const callback = await completeSignIn(
      browser,
      { ...auth, page: consent },
      user,
      client.redirectUri,
    );
    const tokens = await oidc.authorizationCodeGrant(
      rp,
      new URL(callback),
      { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce },
      { resource: identifier },
    );
    const { status, body } = await introspect(server, introspector, { token: tokens.access_token });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      active: true,
      aud: identifier,
      sub: user.id,
      client_id: client.clientId,
    });
    expect(String(body.scope).split(' ')).toContain('invoices:read');
    expect(String(body.scope).split(' ')).not.toContain('invoices:pay');

    // The audit trail names the API scope the user granted, not only the OpenID scopes.
    const events = await server.services.store.events.list(
      { type: 'consent.given', subject: user.id },
      { limit: 5 },
    );
    expect(events.items[0]?.details?.resourceScopes).toBe(`${identifier} invoices:read`);
  });
});
