import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as oidc from 'openid-client';
import { startAuthorization } from '../helpers/sign-in.ts';
import { BrowserAt } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * `portcullis_lockouts_total{kind}` (issue 8): every lock a brute-force limit starts is counted
 * once, by what it locked; attempts refused while it lasts are not. The loopback peer is the
 * trusted proxy, so each test acts from its own address with X-Forwarded-For.
 */
let server: TestServer;
let client: Awaited<ReturnType<TestServer['createClient']>>;
let rp: oidc.Configuration;
let nextIp = 10;

beforeAll(async () => {
  server = await startTestServer({
    TRUST_PROXY: 'true',
    TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
    LOGIN_MAX_FAILURES: '3',
    LOGIN_LOCKOUT_SECONDS: '60',
    LOGIN_DELAY_BASE_MS: '10',
    LOGIN_DELAY_MAX_MS: '50',
    LOGIN_IP_MAX_FAILURES: '4',
    CLIENT_AUTH_MAX_FAILURES: '3',
    CLIENT_AUTH_IP_MAX_FAILURES: '50',
  });
  client = await server.createClient();
  rp = await server.rp(client.clientId, client.clientSecret);
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

/** A client address no other test uses (TEST-NET-2). */
function freshIp(): string {
  nextIp += 1;
  return `198.51.100.${nextIp}`;
}

/** One sign-in on a fresh login page; answers its status. */
async function signIn(login: string, password: string, ip = freshIp()): Promise<number> {
  const browser = new BrowserAt(ip);
  const auth = await startAuthorization(browser, rp, client.redirectUri);
  return (await browser.submit(auth.page, '/login', { username: login, password })).status;
}

/** The lockout counts by kind, read from the metrics listener. */
async function lockouts(): Promise<Record<string, number>> {
  const res = await fetch(server.metricsUrl ?? 'http://metrics-off.invalid');
  expect(res.status).toBe(200);
  const text = await res.text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^portcullis_lockouts_total\{kind="(\w+)"\} (\S+)$/gm))
    counts[m[1] ?? ''] = Number(m[2]);
  return counts;
}

describe('portcullis_lockouts_total', () => {
  it('starts every kind at 0', async () => {
    expect(await lockouts()).toEqual({ account: 0, ip: 0, client: 0 });
  });

  it('counts an account locked by wrong passwords on the login form once, not the attempts during the lock', async () => {
    const before = await lockouts();
    const user = await server.createUser();
    for (let i = 0; i < 3; i++) expect(await signIn(user.username, `wrong-${i}`)).toBe(401);
    expect(await lockouts()).toEqual({ ...before, account: (before.account ?? 0) + 1 });
    // Locked: refused, the right password too, and the count stays.
    expect(await signIn(user.username, user.password)).toBe(401);
    expect(await signIn(user.username, 'wrong-again')).toBe(401);
    expect(await lockouts()).toEqual({ ...before, account: (before.account ?? 0) + 1 });
  });

  it('counts a network refused for password spraying as kind="ip", once', async () => {
    const before = await lockouts();
    const ip = freshIp();
    // One wrong password on each of four accounts: no account reaches its limit, the network does.
    for (let i = 0; i < 4; i++)
      expect(await signIn((await server.createUser()).username, 'Spring2025!', ip)).toBe(401);
    expect(await lockouts()).toEqual({ ...before, ip: (before.ip ?? 0) + 1 });
    expect(await signIn((await server.createUser()).username, 'Spring2025!', ip)).toBe(429);
    expect(await lockouts()).toEqual({ ...before, ip: (before.ip ?? 0) + 1 });
  });

  it('counts a client refused after failed client authentications as kind="client", once', async () => {
    const before = await lockouts();
    const machine = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      post_logout_redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const ip = freshIp();
    const token = () =>
      fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'x-forwarded-for': ip,
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(machine.clientId)}:wrong-secret`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      }).then((res) => res.status);
    for (let i = 0; i < 3; i++) expect(await token()).toBe(401);
    expect(await lockouts()).toEqual({ ...before, client: (before.client ?? 0) + 1 });
    expect(await token()).toBe(429);
    expect(await token()).toBe(429);
    expect(await lockouts()).toEqual({ ...before, client: (before.client ?? 0) + 1 });
  });
});
