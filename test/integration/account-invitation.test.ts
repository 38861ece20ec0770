/**
 * Email verification at creation and invitations (issue 15 item 3), through the admin API and
 * the CLI, with the emails read from a real SMTP server: an invited user chooses their own
 * password through the link (once), a user created with an unconfirmed address gets a link to
 * confirm it, and `email_verified` follows.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { tempDir, unique } from '../helpers/test-server.ts';
import { startAdminServer, type AdminFixture } from './admin-fixtures.ts';

const data = tempDir('portcullis-invitation-');
let f: AdminFixture;
let sink: SmtpSink;
let env: Record<string, string>;

beforeAll(async () => {
  sink = await startSmtpSink();
  env = {
    STORE: 'sqlite',
    DATA_DIR: data.path,
    EMAIL_TRANSPORT: 'smtp',
    SMTP_URL: sink.url,
    SMTP_REQUIRE_TLS: 'false',
  };
  f = await startAdminServer(env);
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 0 });
  await sink?.close();
  data.remove();
});

const linkOf = (text: string, path: string) =>
  new RegExp(`(http:\\S+${path}\\?token=[A-Za-z0-9_-]{43})`).exec(text)?.[1] ?? '';

describe('invitations', () => {
  it('invites a user created without a password; the link sets it once, and confirms the address', async () => {
    const username = unique('invited');
    const email = `${username}@example.com`;
    const created = await f.api('POST', '/users', { username, email, invite: true });
    expect(created.status).toBe(201);
    expect(created.body.emailVerified).toBe(false);
    const mail = await sink.waitFor(email, (m) => m.subject.includes('invited'));
    const link = linkOf(mail.text, '/reset-password');
    const browser = new TestBrowser();
    const form = await browser.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain(`Welcome, ${username}`);
    const password = 'my own chosen passphrase';
    const done = await browser.submit(form, '/reset-password', { password, confirm: password });
    expect(done.status).toBe(200);
    const accounts = f.server.services.accounts;
    expect(await accounts.authenticate(username, password)).toBeDefined();
    expect((await accounts.findByLogin(username))?.emailVerified).toBe(true);
    expect((await browser.get(link)).status).toBe(400);
  });

  it('refuses an invitation without an email, or with a password', async () => {
    const without = await f.api('POST', '/users', { username: unique('x'), invite: true });
    expect(without.status).toBe(400);
    const both = await f.api('POST', '/users', {
      username: unique('y'),
      email: `${unique('y')}@example.com`,
      invite: true,
      password: 'correct horse battery staple',
    });
    expect(both.status).toBe(400);
  });

  it('invites from the CLI with user add --invite, reading no password', async () => {
    const username = unique('cli-invited');
    const email = `${username}@example.com`;
    let stdout = '';
    const stdin = new PassThrough();
    stdin.end('');
    const code = await runCli(['user', 'add', username, '--email', email, '--invite'], {
      stdin,
      stdout: new Writable({
        write(chunk: Buffer, _e, done) {
          stdout += chunk.toString();
          done();
        },
      }),
      stderr: new Writable({ write: (_c, _e, done) => done() }),
      env: { NODE_ENV: 'test', ISSUER: f.server.issuer, ...env },
      isTTY: false,
    });
    expect(code).toBe(0);
    expect(stdout).toContain(`created user ${username}`);
    await sink.waitFor(email, (m) => m.subject.includes('invited'));
  });
});

describe('email verification at creation', () => {
  it('sends a confirmation link to an unconfirmed address; confirming sets email_verified', async () => {
    const username = unique('verify');
    const email = `${username}@example.com`;
    const created = await f.api('POST', '/users', {
      username,
      email,
      password: 'correct horse battery staple',
    });
    expect(created.status).toBe(201);
    const mail = await sink.waitFor(email, (m) => m.subject.includes('Confirm your email'));
    const browser = new TestBrowser();
    const page = await browser.get(linkOf(mail.text, '/verify-email'));
    expect(page.status).toBe(200);
    const done = await browser.submit(page, '/verify-email', {});
    expect(done.status).toBe(200);
    expect((await f.server.services.accounts.findByLogin(username))?.emailVerified).toBe(true);
  });

  it('sends nothing for an address created as verified', async () => {
    const username = unique('preverified');
    const email = `${username}@example.com`;
    await f.api('POST', '/users', {
      username,
      email,
      email_verified: true,
      password: 'correct horse battery staple',
    });
    await f.server.accountCentre.emails.idle();
    expect(sink.messages.some((m) => m.to.includes(email))).toBe(false);
  });
});
