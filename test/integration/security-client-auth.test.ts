import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Brute-force limits on client authentication at the token, introspection and revocation
 * endpoints (issue 6 item 1; ASVS 6.3.1, 2.4.1, 10.4.10; security reference B19). The loopback
 * peer is the trusted proxy, so each test acts from its own address with X-Forwarded-For.
 */
let server: TestServer;
let nextIp = 10;

beforeAll(async () => {
  server = await startTestServer({
    TRUST_PROXY: 'true',
    TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
    CLIENT_AUTH_MAX_FAILURES: '3',
    CLIENT_AUTH_IP_MAX_FAILURES: '8',
  });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

function freshIp(): string {
  nextIp += 1;
  return `203.0.113.${nextIp}`;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A confidential client allowed the client_credentials grant. */
async function machineClient(
  method: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic',
) {
  return server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    post_logout_redirect_uris: [],
    token_endpoint_auth_method: method,
    resource_server: true,
  });
}

async function post(
  path: string,
  ip: string,
  body: Record<string, string>,
  authorization?: string,
) {
  const res = await fetch(`${server.issuer}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': ip,
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(body).toString(),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

describe('client authentication limits (ASVS 6.3.1, 2.4.1)', () => {
  it('refuses a client with 429 and Retry-After after repeated wrong secrets at /token, before checking even the right one', async () => {
    const c = await machineClient();
    const ip = freshIp();
    expect(
      (
        await post(
          '/token',
          ip,
          { grant_type: 'client_credentials' },
          basic(c.clientId, c.clientSecret),
        )
      ).status,
    ).toBe(200);
    for (let i = 0; i < 3; i++) {
      const res = await post(
        '/token',
        ip,
        { grant_type: 'client_credentials' },
        basic(c.clientId, `wrong-${i}`),
      );
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
    }
    const refused = await post(
      '/token',
      ip,
      { grant_type: 'client_credentials' },
      basic(c.clientId, c.clientSecret),
    );
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.body.access_token).toBeUndefined();
    // The same client from its own address is not affected by an attacker elsewhere.
    expect(
      (
        await post(
          '/token',
          freshIp(),
          { grant_type: 'client_credentials' },
          basic(c.clientId, c.clientSecret),
        )
      ).status,
    ).toBe(200);

    const failures = await server.services.store.events.list(
      { type: 'client_auth.failed', clientId: c.clientId },
      { limit: 10 },
    );
    expect(failures.items).toHaveLength(3);
    expect(failures.items[0]?.ip).toBe(ip);
    const throttled = await server.services.store.events.list(
      { type: 'client_auth.throttled', clientId: c.clientId },
      { limit: 10 },
    );
    expect(throttled.items).toHaveLength(1);
  });

  it('reads the client id of client_secret_post from the body without disturbing the provider', async () => {
    const c = await machineClient('client_secret_post');
    const ip = freshIp();
    const form = (secret: string) => ({
      grant_type: 'client_credentials',
      client_id: c.clientId,
      client_secret: secret,
    });
    const ok = await post('/token', ip, form(c.clientSecret));
    expect(ok.status).toBe(200);
    expect(typeof ok.body.access_token).toBe('string');
    for (let i = 0; i < 3; i++)
      expect((await post('/token', ip, form(`wrong-${i}`))).status).toBe(401);
    expect((await post('/token', ip, form(c.clientSecret))).status).toBe(429);
  });

  it('shares one budget across the token, introspection and revocation endpoints (ASVS 10.4.10)', async () => {
    const c = await machineClient();
    const ip = freshIp();
    const auth = basic(c.clientId, 'wrong');
    expect((await post('/token/introspection', ip, { token: 'x' }, auth)).status).toBe(401);
    expect((await post('/token/revocation', ip, { token: 'x' }, auth)).status).toBe(401);
    expect((await post('/token', ip, { grant_type: 'client_credentials' }, auth)).status).toBe(401);
    for (const path of ['/token/introspection', '/token/revocation', '/token']) {
      expect(
        (
          await post(
            path,
            ip,
            { token: 'x', grant_type: 'client_credentials' },
            basic(c.clientId, c.clientSecret),
          )
        ).status,
      ).toBe(429);
    }
  });

  it('counts only failed client authentication, not other token errors', async () => {
    const c = await machineClient();
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      const res = await post(
        '/token',
        ip,
        { grant_type: 'refresh_token', refresh_token: `nope-${i}` },
        basic(c.clientId, c.clientSecret),
      );
      expect(res.status).toBe(400);
    }
    expect(
      (
        await post(
          '/token',
          ip,
          { grant_type: 'client_credentials' },
          basic(c.clientId, c.clientSecret),
        )
      ).status,
    ).toBe(200);
  });

  it('refuses an address that guesses many client ids (per-network limit)', async () => {
    const ip = freshIp();
    for (let i = 0; i < 8; i++) {
      expect(
        (
          await post(
            '/token',
            ip,
            { grant_type: 'client_credentials' },
            basic(`guess-${i}`, 'secret'),
          )
        ).status,
      ).toBe(401);
    }
    const c = await machineClient();
    expect(
      (
        await post(
          '/token',
          ip,
          { grant_type: 'client_credentials' },
          basic(c.clientId, c.clientSecret),
        )
      ).status,
    ).toBe(429);
  });
});

describe('claimed client ids with control characters (issue 12 item 10)', () => {
  it('records a claimed client id with terminal control characters made visible', async () => {
    const ip = freshIp();
    const claimed = 'evil\u001b[2J\u0007';
    // In the form body (client_secret_post): the provider answers invalid_client, which is counted.
    const res = await post('/token', ip, {
      grant_type: 'client_credentials',
      client_id: claimed,
      client_secret: 'guess',
    });
    expect(res.status).toBe(401);
    const failures = await server.services.store.events.list(
      { type: 'client_auth.failed' },
      { limit: 100 },
    );
    const recorded = failures.items.filter((e) => e.ip === ip).map((e) => e.clientId);
    expect(recorded).toEqual(['evil\\x1b[2J\\x07']);
  });
});
