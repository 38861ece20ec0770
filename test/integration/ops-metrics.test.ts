import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const METRICS_TOKEN = 'metrics-token-'.padEnd(48, 'x');

let server: TestServer;
let other: TestServer;

beforeAll(async () => {
  [server, other] = await Promise.all([
    startTestServer({ METRICS_SESSION_SAMPLE_SECONDS: '1' }),
    startTestServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop({ graceMs: 100 }), other?.stop({ graceMs: 100 })]);
});

async function scrape(
  url: string | undefined,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await fetch(url ?? 'http://metrics-off.invalid', { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample (`name{labels}`), summed over label sets that include `labels`. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      sum += Number(m[4]);
      found = true;
    }
  }
  if (!found)
    throw new Error(`no sample ${name}${JSON.stringify(labels)} in:\n${text.slice(0, 2000)}`);
  return sum;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('/metrics', () => {
  it('is served on the separate loopback listener and not on the public port', async () => {
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(server.metricsUrl).not.toContain(`:${server.config.server.port}/`);
    const text = await scrape(server.metricsUrl);
    expect(text).toContain('# TYPE portcullis_http_request_duration_seconds histogram');
    expect((await fetch(`${server.issuer}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.metricsUrl?.replace('/metrics', '/other')}`)).status).toBe(404);
  });

  it('shows every documented series moving under a short load', async () => {
    const before = await scrape(server.metricsUrl);
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const api = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resource_server: true,
    });
    const apiRp = await server.rp(api.clientId, api.clientSecret);

    // One failed sign-in, then two successful ones.
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    expect(
      (
        await browser.submit(auth.page, '/login', {
          username: user.username,
          password: 'not-the-password',
        })
      ).status,
    ).toBe(401);
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    const service = await oidc.clientCredentialsGrant(apiRp);
    expect((await oidc.tokenIntrospection(apiRp, service.access_token)).active).toBe(true);
    expect((await oidc.tokenIntrospection(apiRp, 'no-such-token')).active).toBe(false);
    // A client that is not a resource server learns nothing (inactive); a wrong secret is refused.
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
    const wrongSecret = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${api.clientId}:wrong`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: service.access_token }),
    });
    expect(wrongSecret.status).toBe(401);

    const after = await scrape(server.metricsUrl);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - safe(before, name, labels);
    expect(delta('portcullis_sign_ins_total', { outcome: 'success' })).toBe(2);
    expect(delta('portcullis_sign_ins_total', { outcome: 'failure' })).toBe(1);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'authorization_code',
        token_type: 'authorization_code',
      }),
    ).toBe(2);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'authorization_code',
        token_type: 'access_token',
      }),
    ).toBe(2);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'authorization_code',
        token_type: 'id_token',
      }),
    ).toBe(2);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'authorization_code',
        token_type: 'refresh_token',
      }),
    ).toBe(2);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'refresh_token',
        token_type: 'refresh_token',
      }),
    ).toBe(1);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'refresh_token',
        token_type: 'access_token',
      }),
    ).toBe(1);
    expect(
      delta('portcullis_tokens_issued_total', {
        grant_type: 'client_credentials',
        token_type: 'access_token',
      }),
    ).toBe(1);
    expect(delta('portcullis_introspections_total', { outcome: 'active' })).toBe(1);
    expect(delta('portcullis_introspections_total', { outcome: 'inactive' })).toBe(2);
    expect(delta('portcullis_introspections_total', { outcome: 'refused' })).toBe(1);
    expect(
      delta('portcullis_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/token',
        status: '200',
      }),
    ).toBe(4);
    expect(
      delta('portcullis_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/interaction/:uid/login',
        status: '401',
      }),
    ).toBe(1);
    expect(
      delta('portcullis_store_operation_duration_seconds_count', {
        backend: 'memory',
        operation: 'accounts.findByLogin',
      }),
    ).toBe(3);
    expect(
      delta('portcullis_store_operation_duration_seconds_count', {
        backend: 'memory',
        operation: 'oidc.upsert',
      }),
    ).toBeGreaterThan(10);
    expect(value(after, 'portcullis_lockouts_total')).toBe(0);
    // Process metrics (prom-client's defaults).
    expect(value(after, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(value(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    // Sessions are re-counted every second here (METRICS_SESSION_SAMPLE_SECONDS=1), not per request.
    expect(
      await eventually(
        async () => value(await scrape(server.metricsUrl), 'portcullis_active_sessions') >= 2,
      ),
    ).toBe(true);
  });

  it('counts only its own server in a process that runs several (a registry per app)', async () => {
    const text = await scrape(other.metricsUrl);
    expect(other.metricsUrl).not.toBe(server.metricsUrl);
    expect(value(text, 'portcullis_sign_ins_total', { outcome: 'success' })).toBe(0);
    expect(text).not.toContain('route="/interaction/:uid/login"');
  });
});

describe('/metrics on the public port (METRICS_ON_MAIN_PORT)', () => {
  let exposed: TestServer;
  beforeAll(async () => {
    exposed = await startTestServer({ METRICS_ON_MAIN_PORT: 'true', METRICS_TOKEN });
  });
  afterAll(async () => {
    await exposed?.stop({ graceMs: 100 });
  });

  it('answers only to a bearer of the metrics token, on both listeners', async () => {
    const anonymous = await fetch(`${exposed.issuer}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(
      (
        await fetch(`${exposed.issuer}/metrics`, {
          headers: { authorization: `Bearer ${'y'.repeat(48)}` },
        })
      ).status,
    ).toBe(401);
    expect((await fetch(exposed.metricsUrl ?? '')).status).toBe(401);
    const text = await scrape(`${exposed.issuer}/metrics`, {
      authorization: `Bearer ${METRICS_TOKEN}`,
    });
    expect(
      value(text, 'portcullis_http_request_duration_seconds_count', {
        route: '/metrics',
        status: '401',
      }),
    ).toBeGreaterThanOrEqual(2);
  });
});

/** Like `value`, but 0 when the series did not exist yet. */
function safe(text: string, name: string, labels: Record<string, string>): number {
  try {
    return value(text, name, labels);
  } catch {
    return 0;
  }
}
