import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { storedIdOf } from '../../src/oidc/bearer-entries.ts';
import {
  adminToken,
  basic,
  startAdminServer,
  tokenRequest,
  type AdminFixture,
} from './admin-fixtures.ts';

// Authentication of the admin API by OAuth (issue 4, item 2): RFC 6750 bearer tokens this
// server issued with client credentials to a client holding the `admin` scope.

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminServer();
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

/** A new client_credentials client through the admin API; `scope` as registered. */
async function serviceClient(scope?: string): Promise<{ clientId: string; clientSecret: string }> {
  const res = await f.api('POST', '/clients', {
    client_name: 'service',
    grant_types: ['client_credentials'],
    ...(scope === undefined ? {} : { scope }),
  });
  expect(res.status).toBe(201);
  return { clientId: String(res.body.client_id), clientSecret: String(res.body.client_secret) };
}

describe('admin API authentication', () => {
  it('answers a request without a token 401 with a Bearer challenge and no error code (RFC 6750 §3.1)', async () => {
    const res = await f.api('GET', '/clients', undefined, { token: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="portcullis-admin"/);
    expect(res.headers.get('www-authenticate')).not.toContain('error=');
    expect(res.body).toMatchObject({
      error: 'authentication_required',
      request_id: expect.any(String),
    });
  });

  it('refuses an unknown token, a malformed header and a token in the query string', async () => {
    const unknown = await f.api('GET', '/clients', undefined, { token: 'x'.repeat(43) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_token');
    expect(unknown.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const basicAuth = await f.api('GET', '/clients', undefined, {
      token: null,
      headers: { authorization: basic(f.adminClient.clientId, f.adminClient.clientSecret) },
    });
    expect(basicAuth.status).toBe(401);
    expect(basicAuth.body.error).toBe('invalid_token');

    // RFC 9700 §4.3.2 / RFC 6750 §2.3: tokens in URLs leak; only the header is read.
    const inQuery = await f.api('GET', `/clients?access_token=${f.token}`, undefined, {
      token: null,
    });
    expect(inQuery.status).toBe(401);
    expect(inQuery.body.error).toBe('authentication_required');
  });

  it('answers 403 insufficient_scope for a valid token without the admin scope', async () => {
    const client = await serviceClient();
    const token = await adminToken(f.server.issuer, client, '');
    const res = await f.api('GET', '/clients', undefined, { token });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('insufficient_scope');
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(res.headers.get('www-authenticate')).toContain('scope="admin"');
  });

  it('does not let a client without the admin scope registered obtain it (invalid_scope)', async () => {
    const client = await serviceClient();
    const res = await tokenRequest(f.server.issuer, client, {
      grant_type: 'client_credentials',
      scope: 'admin',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_scope');
  });

  it('does not let a user-facing authorization request obtain the admin scope', async () => {
    const app = await f.api('POST', '/clients', {
      client_name: 'web',
      redirect_uris: ['https://rp.example/cb'],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = new URL(`${f.server.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: String(app.body.client_id),
      response_type: 'code',
      redirect_uri: 'https://rp.example/cb',
      scope: 'openid admin',
      state: 'st',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '', f.server.issuer);
    expect(location.origin + location.pathname).toBe('https://rp.example/cb');
    expect(location.searchParams.get('error')).toBe('invalid_scope');

    // Nor can a client that signs users in be given the scope.
    const patch = await f.api('PATCH', `/clients/${String(app.body.client_id)}`, {
      scope: 'openid admin',
    });
    expect(patch.status).toBe(400);
    expect(patch.body.details).toMatchObject({
      scope: expect.stringContaining('client_credentials'),
    });
  });

  it('refuses a revoked token at once', async () => {
    const client = await serviceClient('admin');
    const token = await adminToken(f.server.issuer, client);
    expect((await f.api('GET', '/clients?limit=1', undefined, { token })).status).toBe(200);
    const revoked = await fetch(`${f.server.issuer}/token/revocation`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(client.clientId, client.clientSecret),
      },
      body: new URLSearchParams({ token }),
    });
    expect(revoked.status).toBe(200);
    const res = await f.api('GET', '/clients?limit=1', undefined, { token });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
  });

  it('refuses the token of an admin client that was deleted', async () => {
    const client = await serviceClient('admin');
    const token = await adminToken(f.server.issuer, client);
    expect((await f.api('DELETE', `/clients/${client.clientId}`)).status).toBe(204);
    const res = await f.api('GET', '/clients?limit=1', undefined, { token });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
  });

  it('answers 403 to the token of a client whose admin scope was taken away', async () => {
    const client = await serviceClient('admin');
    const token = await adminToken(f.server.issuer, client);
    expect((await f.api('PATCH', `/clients/${client.clientId}`, { scope: null })).status).toBe(200);
    const res = await f.api('GET', '/clients?limit=1', undefined, { token });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('insufficient_scope');
  });
});

describe('admin API tokens expire', () => {
  it("refuses an expired token (401 invalid_token), without the library's clock tolerance", async () => {
    const fixture = await startAdminServer();
    try {
      expect((await fixture.api('GET', '/clients?limit=1')).status).toBe(200);
      // Move the stored token's expiry 5 s into the past (inside oidc-provider's 15 s clock
      // tolerance), keeping the entry itself readable, instead of sleeping past a short TTL:
      // the answer must not depend on how busy the machine is.
      const { store } = fixture.server.services;
      // Tokens are stored under a hash of their value (src/oidc/bearer-entries.ts).
      const id = storedIdOf('ClientCredentials', fixture.token);
      const stored = await store.oidc.find('ClientCredentials', id);
      expect(stored).toBeDefined();
      const past = Math.floor(Date.now() / 1000) - 5;
      await store.oidc.upsert(
        'ClientCredentials',
        id,
        { ...stored, exp: past },
        Date.now() + 60_000,
      );
      const res = await fixture.api('GET', '/clients?limit=1');
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_token');
    } finally {
      await fixture.server.stop({ graceMs: 100 });
    }
  });
});
