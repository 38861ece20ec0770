/**
 * The account lifecycle's CLI commands (issue 15 item 6) against a running server's SQLite
 * store: list and end a user's sessions (their app gets a logout token), list and revoke grants,
 * send links (read from a real SMTP server), delete a user with the cascade; refusals are clear.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import * as oidc from 'openid-client';
import { runCli } from '../../src/cli/run-cli.ts';
import {
  startBackchannelReceiver,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

const data = tempDir('portcullis-cli-lifecycle-');
let server: TestServer;
let sink: SmtpSink;
let receiver: BackchannelReceiver;
let env: Record<string, string>;

beforeAll(async () => {
  sink = await startSmtpSink();
  receiver = await startBackchannelReceiver();
  env = {
    STORE: 'sqlite',
    DATA_DIR: data.path,
    EMAIL_TRANSPORT: 'smtp',
    SMTP_URL: sink.url,
    SMTP_REQUIRE_TLS: 'false',
    BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
  };
  server = await startTestServer(env);
});
afterAll(async () => {
  await server?.stop({ graceMs: 0 });
  await receiver?.close();
  await sink?.close();
  data.remove();
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({
    write(chunk: Buffer, _e, done) {
      stdout += chunk.toString();
      done();
    },
  });
  const err = new Writable({
    write(chunk: Buffer, _e, done) {
      stderr += chunk.toString();
      done();
    },
  });
  const stdin = new PassThrough();
  stdin.end('');
  const code = await runCli(argv, {
    stdin,
    stdout: out,
    stderr: err,
    env: { NODE_ENV: 'test', ISSUER: server.issuer, ...env },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

async function signedInUser(path: string) {
  const user = await server.createUser();
  const app = await server.createClient({
    backchannel_logout_uri: `${receiver.url}${path}`,
    backchannel_logout_session_required: true,
  });
  const rp = await server.rp(app.clientId, app.clientSecret);
  const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, app.redirectUri);
  return { user, app, rp, tokens };
}

describe('portcullis user sessions / signout / grants / revoke-grant', () => {
  it('lists a session and ends it; the app gets a logout token', async () => {
    const { user, app } = await signedInUser('/cli-signout');
    const listed = await cli(['user', 'sessions', user.username, '--json']);
    expect(listed.code).toBe(0);
    const sessions = JSON.parse(listed.stdout) as { items: { clientIds: string[] }[] };
    expect(sessions.items).toEqual([expect.objectContaining({ clientIds: [app.clientId] })]);
    const ended = await cli(['user', 'signout', user.email]);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('1 session(s)');
    await waitFor(() => receiver.deliveries.some((d) => d.path === '/cli-signout'));
    expect(receiver.deliveries.some((d) => d.path === '/cli-signout')).toBe(true);
    expect(await server.services.store.oidc.findByAccountId('Session', user.id, 10)).toEqual([]);
  });

  it('lists grants and revokes one: the refresh token fails', async () => {
    const { user, rp, tokens } = await signedInUser('/cli-grants');
    const listed = await cli(['user', 'grants', user.username, '--json']);
    const [grant] = (JSON.parse(listed.stdout) as { items: { id: string }[] }).items;
    const unknown = await cli(['user', 'revoke-grant', user.username, 'no-such-grant']);
    expect(unknown.code).not.toBe(0);
    const revoked = await cli(['user', 'revoke-grant', user.username, grant?.id ?? '']);
    expect(revoked.code).toBe(0);
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});

describe('portcullis user send-* / invite / delete', () => {
  it('emails reset, verification and invitation links in the language asked for', async () => {
    const user = await server.createUser();
    expect((await cli(['user', 'send-reset-link', user.username])).code).toBe(0);
    expect((await sink.waitFor(user.email, (m) => m.subject.includes('Reset'))).text).toMatch(
      /\/reset-password\?token=/,
    );
    expect((await cli(['user', 'send-verification', user.username, '--lang', 'de'])).code).toBe(0);
    await sink.waitFor(user.email, (m) => m.subject.startsWith('Bestätigen'));
    expect((await cli(['user', 'invite', user.username])).code).toBe(0);
    await sink.waitFor(user.email, (m) => m.subject.includes('invited'));
    const audit = await server.services.store.events.list(
      { subject: user.id, typePrefix: 'admin.user.' },
      { limit: 10 },
    );
    expect(audit.items.map((e) => e.type).sort()).toEqual([
      'admin.user.invitation_sent',
      'admin.user.reset_link_sent',
      'admin.user.verification_sent',
    ]);
  });

  it('refuses to delete without --yes, then deletes with the cascade', async () => {
    const { user, app } = await signedInUser('/cli-delete');
    const refused = await cli(['user', 'delete', user.username]);
    expect(refused.code).toBe(2);
    expect(await server.services.accounts.findById(user.id)).toBeDefined();
    const deleted = await cli(['user', 'delete', user.username, '--yes']);
    expect(deleted.code).toBe(0);
    expect(await server.services.accounts.findById(user.id)).toBeUndefined();
    await waitFor(() => receiver.deliveries.some((d) => d.path === '/cli-delete'));
    expect(receiver.deliveries.some((d) => d.path === '/cli-delete')).toBe(true);
    for (const model of ['Session', 'Grant', 'RefreshToken', 'AccessToken'] as const)
      expect(await server.services.store.oidc.findByAccountId(model, user.id, 10)).toEqual([]);
    await sink.waitFor(user.email, (m) => m.subject.includes('was deleted'));
    void app;
  });
});
