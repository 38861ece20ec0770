/**
 * Forgot password (issue 15 item 2), over HTTP against a real server, with the email read from a
 * real SMTP server: the link works once, within its lifetime, and ends every session and refresh
 * token; known and unknown addresses get the same answer; limits per address and network hold;
 * every bad input is a clear 4xx that changes nothing.
 */
import { createServer as createNetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const LINK = /(http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[A-Za-z0-9_-]{43})/;

async function askForReset(server: TestServer, browser: TestBrowser, email: string): Promise<Page> {
  const form = await browser.get(`${server.issuer}/forgot-password`);
  expect(form.status).toBe(200);
  return browser.submit(form, '/forgot-password', { email });
}

function linkIn(text: string): string {
  const match = LINK.exec(text);
  if (!match?.[1]) throw new Error(`no reset link in:\n${text}`);
  return match[1];
}

describe('forgot password', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_REQUIRE_TLS: 'false',
      RESET_MAX_PER_ADDRESS: '2',
      // Every request here comes from 127.0.0.1; the network limit has its own test below.
      RESET_MAX_PER_NETWORK: '1000',
      NEW_DEVICE_ALERTS: 'false',
    });
  });
  afterAll(async () => {
    await server.stop({ graceMs: 0 });
    await sink.close();
  });

  it('links to it from the sign-in page', async () => {
    const { clientId, redirectUri } = await server.createClient();
    const rp = await server.rp(clientId);
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const browser = new TestBrowser();
    const login = await browser.follow(await browser.get(url.href));
    expect(login.text).toContain('href="/forgot-password"');
  });

  it('resets the password through the emailed link, once, ending every session and refresh token', async () => {
    const user = await server.createUser();
    const { clientId, clientSecret, redirectUri } = await server.createClient();
    const rp = await server.rp(clientId, clientSecret);
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, redirectUri);
    expect(tokens.refresh_token).toBeDefined();

    const browser = new TestBrowser();
    const answer = await askForReset(server, browser, user.email.toUpperCase());
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Check your email');
    const mail = await sink.waitFor(user.email);
    expect(mail.subject).toBe('Reset your Portcullis password');
    expect(mail.html).toContain('Choose a new password');
    const link = linkIn(mail.text);
    expect(mail.html).toContain(link);

    const form = await browser.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain(user.username);
    const password = 'a brand new passphrase 42';
    const done = await browser.submit(form, '/reset-password', { password, confirm: password });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Password changed');

    expect(await server.services.accounts.authenticate(user.username, password)).toBeDefined();
    expect(
      await server.services.accounts.authenticate(user.username, user.password),
    ).toBeUndefined();
    await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await server.services.store.oidc.findByAccountId('Session', user.id, 10)).toEqual([]);
    // The address received the link, so it counts as confirmed; the user is told of the change.
    expect((await server.services.accounts.findById(user.id))?.emailVerified).toBe(true);
    await sink.waitFor(user.email, (m) => m.subject.includes('was changed'));

    // Used once: the same link again is refused, on the form and on the post.
    const again = await browser.get(link);
    expect(again.status).toBe(400);
    expect(again.text).toContain('This link does not work');
    const replay = await browser.submit(form, '/reset-password', {
      password: 'yet another passphrase',
      confirm: 'yet another passphrase',
    });
    expect(replay.status).toBe(400);
    expect(await server.services.accounts.authenticate(user.username, password)).toBeDefined();

    const events = await server.services.store.events.list({ subject: user.id }, { limit: 50 });
    const types = events.items.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['password.reset_requested', 'password.reset']));
  });

  it('answers an unknown address exactly as a known one, and sends nothing', async () => {
    const user = await server.createUser();
    const known = await askForReset(server, new TestBrowser(), user.email);
    const unknownAddress = `nobody-${Date.now()}@example.com`;
    const unknown = await askForReset(server, new TestBrowser(), unknownAddress);
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    await sink.waitFor(user.email);
    await server.accountCentre.emails.idle();
    expect(sink.messages.some((m) => m.to.includes(unknownAddress))).toBe(false);
  });

  it('takes about as long for a known address as for an unknown one (medians of 15 each)', async () => {
    const users = await Promise.all(Array.from({ length: 15 }, () => server.createUser()));
    const browser = new TestBrowser();
    const form = await browser.get(`${server.issuer}/forgot-password`);
    const time = async (email: string) => {
      const started = performance.now();
      const page = await browser.submit(form, '/forgot-password', { email });
      expect(page.status).toBe(200);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a slow moment of the machine hits both alike.
    for (const [i, user] of users.entries()) {
      known.push(await time(user.email));
      unknown.push(await time(`nobody-${i}-${Date.now()}@example.com`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    // Coarse on purpose (a shared test machine): the two paths do the same work, so their
    // medians differ by far less than the cost of a real difference such as waiting for SMTP.
    expect(Math.abs(median(known) - median(unknown))).toBeLessThan(30);
  });

  it('sends at most RESET_MAX_PER_ADDRESS links to one address per window, with the same answer', async () => {
    const user = await server.createUser();
    const answers = [];
    for (let i = 0; i < 3; i += 1)
      answers.push(await askForReset(server, new TestBrowser(), user.email));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    await server.accountCentre.emails.idle();
    expect(sink.messages.filter((m) => m.to.includes(user.email))).toHaveLength(2);
  });

  it('refuses tampered, truncated and made-up links with 400 and changes nothing', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    await askForReset(server, browser, user.email);
    const link = linkIn((await sink.waitFor(user.email)).text);
    const token = new URL(link).searchParams.get('token') ?? '';
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [flipped, token.slice(0, 20), 'x'.repeat(43), '', '<script>']) {
      const page = await browser.get(
        `${server.issuer}/reset-password?token=${encodeURIComponent(bad)}`,
      );
      expect(page.status).toBe(400);
    }
    // A post with a tampered token (and a valid CSRF token) is refused as well.
    const form = await browser.get(link);
    const tampered = await browser.submit(form, '/reset-password', {
      token: flipped,
      password: 'tampered passphrase 1',
      confirm: 'tampered passphrase 1',
    });
    expect(tampered.status).toBe(400);
    expect(await server.services.accounts.authenticate(user.username, user.password)).toBeDefined();
    // The genuine link still works after all that.
    expect((await browser.get(link)).status).toBe(200);
  });

  it('refuses a password that is too short or not repeated, keeping the link usable', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    await askForReset(server, browser, user.email);
    const link = linkIn((await sink.waitFor(user.email)).text);
    const form = await browser.get(link);
    const short = await browser.submit(form, '/reset-password', {
      password: 'short',
      confirm: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.text).toContain('role="alert"');
    const mismatch = await browser.submit(form, '/reset-password', {
      password: 'long enough passphrase',
      confirm: 'another long passphrase',
    });
    expect(mismatch.status).toBe(400);
    expect((await browser.get(link)).status).toBe(200);
    expect(await server.services.accounts.authenticate(user.username, user.password)).toBeDefined();
  });

  it('refuses forms without a valid CSRF token (403) and sends nothing', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const form = await browser.get(`${server.issuer}/forgot-password`);
    const forged = await browser.submit(form, '/forgot-password', {
      email: user.email,
      csrf: 'forged',
    });
    expect(forged.status).toBe(403);
    // Another browser's token does not work with this browser's cookie either.
    const other = new TestBrowser();
    const otherForm = await other.get(`${server.issuer}/forgot-password`);
    const token = /name="csrf" value="([^"]+)"/.exec(otherForm.text)?.[1] ?? '';
    const crossed = await browser.submit(form, '/forgot-password', {
      email: user.email,
      csrf: token,
    });
    expect(crossed.status).toBe(403);
    await server.accountCentre.emails.idle();
    expect(sink.messages.some((m) => m.to.includes(user.email))).toBe(false);
  });
});

describe('forgot password limits and lifetime', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: sink.url,
      SMTP_REQUIRE_TLS: 'false',
      RESET_MAX_PER_NETWORK: '3',
      RESET_TOKEN_TTL: '1',
    });
  });
  afterAll(async () => {
    await server.stop({ graceMs: 0 });
    await sink.close();
  });

  it('refuses an expired link', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    await askForReset(server, browser, user.email);
    const link = linkIn((await sink.waitFor(user.email)).text);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const page = await browser.get(link);
    expect(page.status).toBe(400);
    expect(page.text).toContain('This link does not work');
  });

  it('refuses a network past RESET_MAX_PER_NETWORK requests with 429', async () => {
    // The first test used one request from this address already.
    const browser = new TestBrowser();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await askForReset(server, browser, `n${i}@example.com`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('forgot password with a stalled mail server', () => {
  it('answers a known address as fast as an unknown one: the page never waits for SMTP', async () => {
    // Accepts connections and never says a word: every delivery hangs until its timeout.
    const sockets: Socket[] = [];
    const stalled = createNetServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    const { port } = stalled.address() as { port: number };
    const server = await startTestServer({
      EMAIL_TRANSPORT: 'smtp',
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      SMTP_REQUIRE_TLS: 'false',
      EMAIL_ATTEMPTS: '1',
    });
    try {
      const user = await server.createUser();
      const timed = async (email: string) => {
        const browser = new TestBrowser();
        const form = await browser.get(`${server.issuer}/forgot-password`);
        const started = performance.now();
        const page = await browser.submit(form, '/forgot-password', { email });
        return { ms: performance.now() - started, page };
      };
      const known = await timed(user.email);
      const unknown = await timed(`nobody-${Date.now()}@example.com`);
      expect(known.page.status).toBe(200);
      expect(known.page.text).toBe(unknown.page.text);
      // The SMTP connection is still hanging; the answer came long before its timeouts.
      expect(known.ms).toBeLessThan(1000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      // RFC 5321 §3.8: a 421 greeting ends the session cleanly on the client's side too.
      for (const s of sockets) s.end('421 closing\r\n');
      // The delivery fails once its socket is gone; let it finish before the server stops.
      await server.accountCentre.emails.idle();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
      await server.stop({ graceMs: 0 });
    }
  });
});
