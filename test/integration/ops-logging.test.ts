import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { completeSignIn, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, unique } from '../helpers/test-server.ts';

// Every line the server writes during a real sign-in and token flow, at the most verbose level,
// through the real logger (only its destination is a memory stream).
const lines: string[] = [];
let server: RunningServer;
let issuer: string;

beforeAll(async () => {
  const port = await freePort();
  issuer = `http://127.0.0.1:${port}`;
  const loaded = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    LOG_LEVEL: 'trace',
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const log = createLogger({
    level: 'trace',
    destination: { write: (line: string) => void lines.push(line) },
  });
  server = await startServer(loaded.config, log);
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

function records(): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function createClient(metadata: Record<string, unknown>) {
  const clientId = unique('client');
  const clientSecret = randomBytes(32).toString('base64url');
  await server.services.store.oidc.upsert('Client', clientId, {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: ['https://rp.example/callback'],
    post_logout_redirect_uris: ['https://rp.example/signed-out'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...metadata,
  });
  const rp = await oidc.discovery(
    new URL(issuer),
    clientId,
    undefined,
    oidc.ClientSecretBasic(clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  return { clientId, clientSecret, rp };
}

async function tokenRequest(
  client: { clientId: string; clientSecret: string },
  body: Record<string, string>,
) {
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${basic}`,
    },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, basic };
}

describe('logs during a real sign-in and token flow', () => {
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
    const username = unique('user');
    await server.services.accounts.create({
      username,
      email: `${username}@example.com`,
      emailVerified: true,
      password,
      claims: { name: 'Log Test' },
    });
    const web = await createClient({});
    const api = await createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resource_server: true,
    });
    secrets.set('password', password).set('wrong password', wrongPassword);
    secrets.set('client secret', web.clientSecret).set('api client secret', api.clientSecret);

    // A failed attempt, then the real sign-in on the same login page.
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, web.rp, 'https://rp.example/callback');
    const failed = await browser.submit(auth.page, '/login', { username, password: wrongPassword });
    expect(failed.status).toBe(401);
    const callback = await completeSignIn(
      browser,
      { ...auth, page: failed },
      { username, password },
      'https://rp.example/callback',
    );
    const code = new URL(callback).searchParams.get('code') ?? '';
    secrets.set('code', code).set('code verifier', auth.verifier);
    const tokens = await oidc.authorizationCodeGrant(web.rp, new URL(callback), {
      pkceCodeVerifier: auth.verifier,
      expectedState: auth.state,
      expectedNonce: auth.nonce,
    });
    secrets
      .set('access token', tokens.access_token)
      .set('refresh token', tokens.refresh_token ?? '')
      .set('id token', tokens.id_token ?? '');
    for (const cookie of browser.cookies) secrets.set(`cookie ${cookie.name}`, cookie.value);

    const refreshed = await oidc.refreshTokenGrant(web.rp, tokens.refresh_token ?? '');
    secrets
      .set('rotated refresh token', refreshed.refresh_token ?? '')
      .set('refreshed access token', refreshed.access_token);
    await oidc.fetchUserInfo(web.rp, refreshed.access_token, oidc.skipSubjectCheck);
    const service = await oidc.clientCredentialsGrant(api.rp);
    secrets.set('service token', service.access_token);
    await oidc.tokenIntrospection(api.rp, refreshed.access_token);

    // Replaying the first refresh token: refused (grant.error) and the grant revoked.
    const replay = await tokenRequest(web, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(replay.body.error).toBe('invalid_grant');
    secrets.set('basic credentials', replay.basic);
    // A code replay, with its verifier.
    await tokenRequest(web, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://rp.example/callback',
      code_verifier: auth.verifier,
    });
    for (const [i, key] of server.services.cookieKeys.entries())
      secrets.set(`cookie key ${i}`, key);
  });

  it('contains no password, token, code, verifier, cookie, cookie key or client secret', () => {
    expect(secrets.size).toBeGreaterThan(12);
    const output = lines.join('');
    for (const [what, value] of secrets) {
      expect(value.length).toBeGreaterThan(8);
      if (output.includes(value)) throw new Error(`the logs contain the ${what}`);
    }
  });

  it('writes one line per request with method, route pattern, status, duration, request id and client id', () => {
    const requests = records().filter((r) => r.event === 'http.request');
    const token = requests.filter((r) => r.route === '/token');
    expect(token.length).toBeGreaterThanOrEqual(4);
    for (const line of token) {
      expect(line).toEqual(
        expect.objectContaining({
          method: 'POST',
          status: expect.any(Number),
          durationMs: expect.any(Number),
          requestId: expect.any(String),
          clientId: expect.any(String),
        }),
      );
    }
    const login = requests.find((r) => r.route === '/interaction/:uid/login');
    expect(login).toMatchObject({ method: 'POST', status: 401 });
    // No raw path, query string or header in any request line.
    expect(requests.every((r) => !('path' in r) && !('url' in r) && !('headers' in r))).toBe(true);
  });

  it('logs sign-ins and the provider events with their request and client ids', () => {
    const all = records();
    expect(all.find((r) => r.event === 'login.failed')).toMatchObject({
      requestId: expect.any(String),
      clientId: expect.any(String),
    });
    expect(all.find((r) => r.event === 'login.succeeded')).toMatchObject({
      sub: expect.any(String),
    });
    expect(all.find((r) => r.event === 'grant.error')).toMatchObject({
      error: 'invalid_grant',
      requestId: expect.any(String),
      clientId: expect.any(String),
    });
    expect(all.find((r) => r.event === 'grant.revoked')).toMatchObject({
      grantId: expect.any(String),
    });
  });

  it('ties the X-Request-Id answer to the request line', async () => {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(records().find((r) => r.event === 'http.request' && r.requestId === id)).toMatchObject({
      route: '/.well-known/openid-configuration',
      status: 200,
    });
  });
});
