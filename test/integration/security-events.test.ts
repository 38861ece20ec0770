import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import * as oidc from 'openid-client';
import { runCli } from '../../src/cli/run-cli.ts';
import type { SecurityEvent } from '../../src/storage/ports.ts';
import { TestBrowser, type Page } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

/**
 * Security events (issue 6 item 6; ASVS 16.3.1–16.3.3, 16.2.5): recorded by the server in the
 * shared store, kept for `events.retentionDays`, and listed by `portcullis events list` from
 * another process's view of the same (sqlite) store.
 */
const data = tempDir('portcullis-events-');
let server: TestServer;
const secrets: string[] = [];

beforeAll(async () => {
  server = await startTestServer({
    STORE: 'sqlite',
    DATA_DIR: data.path,
    LOGIN_MAX_FAILURES: '2',
    LOGIN_DELAY_BASE_MS: '0',
    STORE_SWEEP_INTERVAL_SECONDS: '1',
    EVENTS_RETENTION_DAYS: '1',
  });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  data.remove();
});

/** A browser that names itself, so the user agent can be found in the events. */
class NamedBrowser extends TestBrowser {
  override request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    return super.request(url, {
      ...init,
      headers: { 'user-agent': 'EventsTest/1.0', ...init.headers },
    });
  }
}

function sink() {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

/** The CLI in-process, on the server's sqlite store, as an operator would run it. */
async function cli(
  argv: string[],
  stdin = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink();
  const input = new PassThrough();
  input.end(stdin);
  const code = await runCli(argv, {
    stdin: input,
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { NODE_ENV: 'test', STORE: 'sqlite', DATA_DIR: data.path },
    isTTY: false,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function listed(argv: string[]): Promise<SecurityEvent[]> {
  const run = await cli(['events', 'list', '--json', '--limit', '100', ...argv]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { items: SecurityEvent[] }).items;
}

async function tokenRequest(
  client: { clientId: string; clientSecret: string },
  path: string,
  body: Record<string, string>,
) {
  const res = await fetch(`${server.issuer}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams(body),
  });
  return res.status;
}

describe('security events are recorded with who, what, where and when (ASVS 16.3.1–16.3.3)', () => {
  let user: Awaited<ReturnType<TestServer['createUser']>>;
  let client: Awaited<ReturnType<TestServer['createClient']>>;
  let failedRequestId: string | null;

  beforeAll(async () => {
    user = await server.createUser();
    client = await server.createClient();
    secrets.push(user.password, client.clientSecret);
    const rp = await server.rp(client.clientId, client.clientSecret);

    // A failed sign-in, then a successful one with consent.
    const browser = new NamedBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    const wrong = await browser.submit(auth.page, '/login', {
      username: user.username,
      password: 'definitely-wrong',
    });
    failedRequestId = wrong.headers.get('x-request-id');
    const { tokens } = await signInAndRedeem(browser, rp, user, client.redirectUri);
    secrets.push(tokens.access_token, tokens.refresh_token ?? '', tokens.id_token ?? '');

    // Refresh, then reuse the old refresh token: reuse detection revokes the grant.
    const rotated = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    secrets.push(rotated.access_token, rotated.refresh_token ?? '');
    expect(
      await tokenRequest(client, '/token', {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      }),
    ).toBe(400);

    // A second sign-in, whose refresh token the client revokes, then a logout.
    const second = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    secrets.push(second.tokens.refresh_token ?? '');
    expect(
      await tokenRequest(client, '/token/revocation', {
        token: second.tokens.refresh_token ?? '',
        token_type_hint: 'refresh_token',
      }),
    ).toBe(200);
    const confirm = await browser.get(`${server.issuer}/session/end`);
    await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });

    // A lockout of someone else, and a failed client authentication.
    const victim = await server.createUser();
    for (let i = 0; i < 2; i++) {
      const b = new TestBrowser();
      const p = (await startAuthorization(b, rp, client.redirectUri)).page;
      await b.submit(p, '/login', { username: victim.username, password: `wrong-${i}` });
    }
    expect(
      await tokenRequest({ clientId: client.clientId, clientSecret: 'not-the-secret' }, '/token', {
        grant_type: 'client_credentials',
      }),
    ).toBe(401);
  });

  it('records each kind of event', async () => {
    const types = new Set(
      (await server.services.store.events.list({}, { limit: 100 })).items.map((e) => e.type),
    );
    for (const type of [
      'login.failed',
      'login.succeeded',
      'login.locked',
      'consent.given',
      'token.reuse_detected',
      'grant.revoked',
      'token.revoked',
      'logout',
      'client_auth.failed',
    ]) {
      expect([type, types.has(type)]).toEqual([type, true]);
    }
  });

  it('records time, subject, client, address, user agent and request id of a failed sign-in', async () => {
    const [event] = (
      await server.services.store.events.list(
        { type: 'login.failed', subject: user.id },
        { limit: 1 },
      )
    ).items;
    expect(event).toMatchObject({
      type: 'login.failed',
      subject: user.id,
      clientId: client.clientId,
      ip: '127.0.0.1',
      userAgent: 'EventsTest/1.0',
      requestId: failedRequestId,
      details: { reason: 'wrong_password' },
    });
    expect(Math.abs((event?.time ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('names the reason of a revoked grant: refresh-token reuse (RFC 9700 §4.14.2) or revocation (RFC 7009)', async () => {
    const revoked = (
      await server.services.store.events.list(
        { type: 'grant.revoked', subject: user.id },
        { limit: 10 },
      )
    ).items;
    expect(revoked.map((e) => e.details?.reason).sort()).toEqual([
      'refresh_token_reuse',
      'revocation',
    ]);
    const [reuse] = (
      await server.services.store.events.list(
        { type: 'token.reuse_detected', subject: user.id },
        { limit: 10 },
      )
    ).items;
    expect(reuse).toMatchObject({ clientId: client.clientId, details: { kind: 'refresh_token' } });
  });

  it('never stores a password, token or secret (ASVS 16.2.5)', async () => {
    const all = JSON.stringify((await server.services.store.events.list({}, { limit: 100 })).items);
    for (const secret of secrets.filter(Boolean)) expect(all).not.toContain(secret);
    expect(all).not.toContain('definitely-wrong');
  });

  it('lists events with the CLI, filtered by type, user (any login form) and age', async () => {
    const mine = await listed([
      '--user',
      user.username.toUpperCase(),
      '--type',
      'login.*',
      '--since',
      '1h',
    ]);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(new Set(mine.map((e) => e.subject))).toEqual(new Set([user.id]));
    expect(mine.every((e) => e.type.startsWith('login.'))).toBe(true);
    expect(await listed(['--type', 'logout', '--user', user.email])).toHaveLength(1);
    expect(
      await listed(['--type', 'login.succeeded', '--since', '2999-01-01T00:00:00Z']),
    ).toHaveLength(0);

    const table = await cli(['events', 'list', '--type', 'login.locked']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TIME\s+TYPE\s+SUBJECT\s+CLIENT\s+IP\s+DETAILS/);
    expect(table.stdout).toContain('login.locked');
  });

  it('reads the same store as `portcullis audit list`', async () => {
    const run = await cli([
      'audit',
      'list',
      '--json',
      '--type',
      'login.succeeded',
      '--subject',
      user.id,
    ]);
    expect(run.code).toBe(0);
    const audit = (JSON.parse(run.stdout) as { items: SecurityEvent[] }).items;
    expect(audit.map((e) => e.id)).toEqual(
      (await listed(['--type', 'login.succeeded', '--user', user.id])).map((e) => e.id),
    );
  });

  it('refuses a malformed --since with a usage error', async () => {
    const run = await cli(['events', 'list', '--since', 'last tuesday']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--since');
  });
});

describe('credential changes from the CLI end sessions (ASVS 7.4.3)', () => {
  it('signs the user out everywhere when `portcullis user set-password` sets a new password', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const { tokens } = await signInAndRedeem(browser, rp, user, client.redirectUri);

    const run = await cli(['user', 'set-password', user.username], 'a-completely-new-passphrase\n');
    expect(run.code).toBe(0);

    const probe = await startAuthorization(browser, rp, client.redirectUri, { prompt: 'none' });
    expect(new URL(probe.page.location ?? '').searchParams.get('error')).toBe('login_required');
    expect(
      await tokenRequest(client, '/token', {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      }),
    ).toBe(400);
    const [revoked] = await listed(['--type', 'sessions.revoked', '--user', user.id]);
    expect(revoked).toMatchObject({ details: { reason: 'password_changed' } });
    expect(revoked?.actor).toMatch(/^cli/);
  });
});

describe('retention (events.retentionDays)', () => {
  it('deletes events older than the retention with the store sweeper, and keeps newer ones', async () => {
    const old = Date.now() - 2 * 86_400_000;
    await server.services.store.events.append({
      id: `old-${old}`,
      time: old,
      type: 'login.failed',
    });
    await server.services.store.events.append({
      id: `recent-${old}`,
      time: Date.now() - 3_600_000,
      type: 'login.failed',
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const ids = (
      await server.services.store.events.list({ type: 'login.failed' }, { limit: 100 })
    ).items.map((e) => e.id);
    expect(ids).not.toContain(`old-${old}`);
    expect(ids).toContain(`recent-${old}`);
  });
});
