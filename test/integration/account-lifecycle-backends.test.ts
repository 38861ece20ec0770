/**
 * The account lifecycle end to end on the durable backends (issue 15 item 7): SQLite and
 * MongoDB (FerretDB in CI) — a reset link used once, a session ended from the account page with
 * its device recorded, and the deletion cascade leaving nothing of the user behind.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

function storeEnv(store: string, dataDir: string): Record<string, string> {
  if (store === 'sqlite') return { STORE: 'sqlite', DATA_DIR: dataDir };
  return {
    STORE: 'mongodb',
    MONGODB_URI: requireMongoUri(),
    MONGODB_DB: uniqueDatabaseName('account_lifecycle'),
  };
}

describe.each(['sqlite', 'mongodb'])('the account lifecycle on %s', (store) => {
  const data = tempDir('portcullis-lifecycle-');
  let server: TestServer;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({
      ...storeEnv(store, data.path),
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_REQUIRE_TLS: 'false',
    });
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 0 });
    await sink?.close();
    data.remove();
  });

  it('resets a password through a link that works once', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const form = await browser.get(`${server.issuer}/forgot-password`);
    await browser.submit(form, '/forgot-password', { email: user.email });
    const mail = await sink.waitFor(user.email, (m) => m.subject.startsWith('Reset'));
    const link = /(http:\S+\/reset-password\?token=[A-Za-z0-9_-]{43})/.exec(mail.text)?.[1] ?? '';
    const page = await browser.get(link);
    const done = await browser.submit(page, '/reset-password', {
      password: 'a fresh passphrase 7',
      confirm: 'a fresh passphrase 7',
    });
    expect(done.status).toBe(200);
    const replay = await browser.submit(page, '/reset-password', {
      password: 'another passphrase 8',
      confirm: 'another passphrase 8',
    });
    expect(replay.status).toBe(400);
    expect(
      await server.services.accounts.authenticate(user.username, 'a fresh passphrase 7'),
    ).toBeDefined();
  });

  it('lists sessions with their device, ends one, and deletes the account leaving nothing', async () => {
    const user = await server.createUser();
    const app = await server.createClient();
    const rp = await server.rp(app.clientId, app.clientSecret);
    const other = new TestBrowser();
    const { tokens } = await signInAndRedeem(other, rp, user, app.redirectUri);
    const browser = new TestBrowser();
    const start = await browser.get(`${server.issuer}/account/sessions`);
    const login = await browser.follow(start);
    const after = await browser.submit(login, '/login', {
      username: user.username,
      password: user.password,
    });
    const page = await browser.follow(after);
    expect(page.status).toBe(200);
    const sessions = await server.accountCentre.selfService.listSessions(user.id, undefined);
    expect(sessions).toHaveLength(2);
    expect(sessions.every((s) => s.ip === '127.0.0.1')).toBe(true);
    const ended = await browser.submit(page, '/account/sessions/end', {});
    expect(ended.status).toBe(200);
    expect(await server.accountCentre.selfService.listSessions(user.id, undefined)).toHaveLength(1);

    const data = await browser.get(`${server.issuer}/account/data`);
    const deleted = await browser.submit(data, '/account/data/delete', {});
    expect(deleted.status).toBe(200);
    const { store: s } = server.services;
    expect(await s.accounts.findById(user.id)).toBeUndefined();
    for (const model of ['Session', 'Grant', 'AccessToken', 'RefreshToken'] as const)
      expect(await s.oidc.findByAccountId(model, user.id, 10)).toEqual([]);
    expect(await s.accountDevices.listSessions(user.id)).toEqual([]);
    expect((await s.events.list({ subject: user.id }, { limit: 5 })).items).toEqual([]);
    const pseudonym = server.accountCentre.lifecycle.pseudonymOf(user.id);
    const kept = await s.events.list({ subject: pseudonym }, { limit: 100 });
    expect(kept.items.map((e) => e.type)).toEqual(
      expect.arrayContaining(['account.deleted', 'login.succeeded']),
    );
    expect(kept.items.every((e) => e.ip === undefined || e.type === 'account.deleted')).toBe(true);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
