/**
 * Every OAuth/OIDC endpoint answers its JSON error shape whatever `Accept` says (RFC 6749 §5.2,
 * RFC 7009 §2.2.1, RFC 7662 §2.3, RFC 7591 §3.2.2, RFC 6750 §3): Java's HTTP client (and so
 * Nimbus) sends an `Accept` that prefers text/html. HTML error pages are for browser routes only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  introspect,
  machineClient,
  registerApi,
  type Credentials,
  type RegisteredApi,
} from './resource-server-setup.ts';

// What java.net.http.HttpClient / HttpURLConnection and browsers send.
const HTML_FIRST = 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2';

let server: TestServer;
let jwtApi: RegisteredApi;

beforeAll(async () => {
  server = await startTestServer();
  jwtApi = await registerApi(server, { format: 'jwt' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

function basic(c: Credentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString('base64')}`;
}

async function call(
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | URLSearchParams } = {},
) {
  const res = await fetch(`${server.issuer}${path}`, {
    method,
    headers: {
      accept: HTML_FIRST,
      ...(init.body instanceof URLSearchParams
        ? { 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    text,
    headers: res.headers,
  };
}

function expectJsonError(
  res: { status: number; type: string; text: string },
  status: number,
  error: string,
) {
  expect(res.status).toBe(status);
  expect(res.type).toMatch(/^application\/json/);
  expect(JSON.parse(res.text)).toMatchObject({ error });
}

describe('OAuth endpoints with an Accept header that prefers HTML', () => {
  it('token: a bad code answers invalid_grant as JSON', async () => {
    const client = await server.createClient();
    const res = await call('POST', '/token', {
      headers: { authorization: basic(client) },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'nope',
        redirect_uri: client.redirectUri,
        code_verifier: 'x'.repeat(43),
      }),
    });
    expectJsonError(res, 400, 'invalid_grant');
  });

  it('token: a wrong client secret answers invalid_client as JSON', async () => {
    const client = await server.createClient();
    const res = await call('POST', '/token', {
      headers: { authorization: basic({ clientId: client.clientId, clientSecret: 'wrong' }) },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expectJsonError(res, 401, 'invalid_client');
  });

  it('token: an unsupported grant type answers JSON', async () => {
    const client = await server.createClient();
    const res = await call('POST', '/token', {
      headers: { authorization: basic(client) },
      body: new URLSearchParams({ grant_type: 'password' }),
    });
    expectJsonError(res, 400, 'unsupported_grant_type');
  });

  it('revocation and introspection without client authentication answer JSON', async () => {
    for (const path of ['/token/revocation', '/token/introspection']) {
      const res = await call('POST', path, { body: new URLSearchParams({ token: 'x' }) });
      expect([400, 401]).toContain(res.status);
      expect(res.type).toMatch(/^application\/json/);
      expect(['invalid_request', 'invalid_client']).toContain(
        (JSON.parse(res.text) as { error: string }).error,
      );
    }
  });

  it('registration with a bad initial access token answers JSON', async () => {
    const res = await call('POST', '/reg', {
      headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['https://rp.example/cb'] }),
    });
    expectJsonError(res, 401, 'invalid_token');
  });

  it('registration read of an unknown client answers JSON', async () => {
    const res = await call('GET', '/reg/unknown-client', {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(res.type).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toHaveProperty('error');
  });

  it('userinfo with a bad token answers 401 with WWW-Authenticate and a JSON body, never a page', async () => {
    const res = await call('GET', '/me', { headers: { authorization: 'Bearer not-a-token' } });
    expectJsonError(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('revoking a JWT access token works, and the token introspects inactive', async () => {
    const worker = await machineClient(server, jwtApi, ['orders:read']);
    const tokens = await oidc.clientCredentialsGrant(worker.rp, {
      resource: jwtApi.identifier,
      scope: 'orders:read',
    });
    const res = await call('POST', '/token/revocation', {
      headers: { authorization: basic(worker) },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    expect(res.status).toBe(200);
    expect(
      await introspect(server, jwtApi.introspector, { token: tokens.access_token }),
    ).toMatchObject({ status: 200, body: { active: false } });
  });

  it('a method the token endpoint does not allow answers JSON, not a page', async () => {
    const res = await call('GET', '/token');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.type).toMatch(/^application\/json/);
  });

  it('browser routes still render the HTML error page', async () => {
    const res = await call('GET', '/auth?client_id=unknown-client&response_type=code&scope=openid');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/^text\/html/);
  });
});
