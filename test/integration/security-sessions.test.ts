import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type * as oidc from 'openid-client';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';

/** Session rules, black-box over HTTP (issue 6 item 2; ASVS 7.2.4, 7.3.1, 7.3.2, 7.4.2, 7.4.3, 7.6.1). */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SignedIn {
  server: TestServer;
  user: Awaited<ReturnType<TestServer['createUser']>>;
  client: Awaited<ReturnType<TestServer['createClient']>>;
  rp: oidc.Configuration;
  browser: TestBrowser;
  tokens: Awaited<ReturnType<typeof signInAndRedeem>>['tokens'];
}

async function signedIn(
  server: TestServer,
  user?: SignedIn['user'],
  client?: SignedIn['client'],
): Promise<SignedIn> {
  const who = user ?? (await server.createUser());
  const app = client ?? (await server.createClient());
  const rp = await server.rp(app.clientId, app.clientSecret);
  const browser = new TestBrowser();
  const { tokens } = await signInAndRedeem(browser, rp, who, app.redirectUri);
  return { server, user: who, client: app, rp, browser, tokens };
}

/** A silent sign-in (`prompt=none`): the error it answers, or null when the session is alive. */
async function silentSignIn(
  s: Pick<SignedIn, 'browser' | 'rp' | 'client'>,
  extra: Record<string, string> = {},
): Promise<string | null> {
  const probe = await startAuthorization(s.browser, s.rp, s.client.redirectUri, {
    prompt: 'none',
    ...extra,
  });
  return new URL(probe.page.location ?? '').searchParams.get('error');
}

async function refresh(s: SignedIn): Promise<{ status: number; error?: unknown }> {
  const res = await fetch(`${s.server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(s.client.clientId)}:${encodeURIComponent(s.client.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: s.tokens.refresh_token ?? '',
    }),
  });
  const body = (await res.json()) as { error?: unknown };
  return { status: res.status, error: body.error };
}

function sessionCookie(browser: TestBrowser): string | undefined {
  return browser.cookies.find((c) => c.name === '_session')?.value;
}

describe('session identifiers and re-authentication', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  it('issues a new session identifier on every sign-in and kills the old one (ASVS 7.2.4, no fixation)', async () => {
    const s = await signedIn(server);
    const before = sessionCookie(s.browser);
    expect(before).toBeDefined();
    const copied = s.browser.cookies
      .filter((c) => c.name.startsWith('_session'))
      .map((c) => ({ ...c }));

    // Signing in again in the same browser (prompt=login forces the password).
    const again = await startAuthorization(s.browser, s.rp, s.client.redirectUri, {
      prompt: 'login',
    });
    expect(again.page.text).toContain('name="password"');
    const posted = await s.browser.submit(again.page, '/login', {
      username: s.user.username,
      password: s.user.password,
    });
    expect(posted.status).toBe(303);
    await s.browser.follow(posted, s.client.redirectUri);
    const after = sessionCookie(s.browser);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);

    // Someone holding the old identifier (planted or stolen before the sign-in) has nothing.
    const holder = new TestBrowser();
    holder.cookies.push(...copied);
    expect(await silentSignIn({ ...s, browser: holder })).toBe('login_required');
    expect(await silentSignIn(s)).toBeNull();
  });

  it('asks for the password again with prompt=login even with a live session (ASVS 7.6.1)', async () => {
    const s = await signedIn(server);
    const page = (
      await startAuthorization(s.browser, s.rp, s.client.redirectUri, { prompt: 'login' })
    ).page;
    expect(page.status).toBe(200);
    expect(page.text).toContain('name="password"');
  });

  it('asks for the password again when the sign-in is older than max_age (ASVS 7.6.1, OIDC Core §3.1.2.1)', async () => {
    const s = await signedIn(server);
    await sleep(2100);
    const page = (await startAuthorization(s.browser, s.rp, s.client.redirectUri, { max_age: '1' }))
      .page;
    expect(page.text).toContain('name="password"');
    expect(await silentSignIn(s, { max_age: '1' })).toBe('login_required');
    expect(await silentSignIn(s, { max_age: '600' })).toBeNull();
  });
});

describe('idle timeout and absolute lifetime (ASVS 7.3.1, 7.3.2)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SESSION_IDLE_TIMEOUT: '2', SESSION_TTL: '5' });
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  it('ends a session left unused for longer than the idle timeout', async () => {
    const s = await signedIn(server);
    await sleep(1200);
    expect(await silentSignIn(s)).toBeNull();
    await sleep(3200);
    expect(await silentSignIn(s)).toBe('login_required');
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    const s = await signedIn(server);
    const started = Date.now();
    for (const at of [1200, 2400, 3600]) {
      await sleep(at - (Date.now() - started));
      expect(await silentSignIn(s)).toBeNull();
    }
    await sleep(4800 - (Date.now() - started));
    await silentSignIn(s);
    // 5 s lifetime, plus under a second of rounding to whole seconds; idle only 1.5 s.
    await sleep(6300 - (Date.now() - started));
    expect(await silentSignIn(s)).toBe('login_required');
  });
});

describe('credential changes end sessions and refresh tokens (ASVS 7.4.2, 7.4.3; RFC 9700 §4.14.2, B15)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  it('signs the user out everywhere and revokes their refresh tokens when the password is reset', async () => {
    const user = await server.createUser();
    const first = await signedIn(server, user);
    const second = await signedIn(server, user);
    const bystander = await signedIn(server);

    await server.services.accounts.setPassword(user.id, 'a-brand-new-password');

    for (const s of [first, second]) {
      expect(await silentSignIn(s)).toBe('login_required');
      expect(await refresh(s)).toEqual({ status: 400, error: 'invalid_grant' });
    }
    expect(await silentSignIn(bystander)).toBeNull();
    expect((await refresh(bystander)).status).toBe(200);
    const revoked = await server.services.store.events.list(
      { type: 'sessions.revoked', subject: user.id },
      { limit: 5 },
    );
    expect(revoked.items[0]?.details).toMatchObject({ reason: 'password_changed' });
  });

  it("ends a disabled user's sessions and tokens for good, even if they are enabled again (ASVS 7.4.2)", async () => {
    const s = await signedIn(server);
    await server.services.accounts.setDisabled(s.user.id, true);
    await server.services.accounts.setDisabled(s.user.id, false);
    expect(await silentSignIn(s)).toBe('login_required');
    expect(await refresh(s)).toEqual({ status: 400, error: 'invalid_grant' });
  });
});

describe('concurrent sessions per user (ASVS 7.1.2)', () => {
  it('ends the oldest session when a new sign-in would exceed the limit (SESSION_LIMIT_ACTION=oldest)', async () => {
    const server = await startTestServer({
      SESSION_MAX_CONCURRENT: '1',
      SESSION_LIMIT_ACTION: 'oldest',
    });
    try {
      const user = await server.createUser();
      const laptop = await signedIn(server, user);
      const phone = await signedIn(server, user, laptop.client);
      expect(await silentSignIn(phone)).toBeNull();
      expect(await silentSignIn(laptop)).toBe('login_required');
      const ended = await server.services.store.events.list(
        { type: 'session.ended', subject: user.id },
        { limit: 5 },
      );
      expect(ended.items).toHaveLength(1);
      // Signing in again in a browser that has the session replaces it: still one session.
      const again = await startAuthorization(phone.browser, phone.rp, phone.client.redirectUri, {
        prompt: 'login',
      });
      expect(
        (
          await phone.browser.submit(again.page, '/login', {
            username: user.username,
            password: user.password,
          })
        ).status,
      ).toBe(303);
    } finally {
      await server.stop({ graceMs: 100 });
    }
  });

  it('refuses a new sign-in beyond the limit and keeps the existing session (SESSION_LIMIT_ACTION=refuse)', async () => {
    const server = await startTestServer({
      SESSION_MAX_CONCURRENT: '1',
      SESSION_LIMIT_ACTION: 'refuse',
    });
    try {
      const user = await server.createUser();
      const laptop = await signedIn(server, user);
      const phone = new TestBrowser();
      const auth = await startAuthorization(phone, laptop.rp, laptop.client.redirectUri);
      const refused = await phone.submit(auth.page, '/login', {
        username: user.username,
        password: user.password,
      });
      expect(refused.status).toBe(409);
      expect(refused.location).toBeUndefined();
      expect(refused.text).toContain('signed in on too many devices');
      expect(await silentSignIn(laptop)).toBeNull();
      const failed = await server.services.store.events.list(
        { type: 'login.failed', subject: user.id },
        { limit: 5 },
      );
      expect(failed.items[0]?.details).toMatchObject({ reason: 'session_limit' });
    } finally {
      await server.stop({ graceMs: 100 });
    }
  });
});
