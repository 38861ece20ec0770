/**
 * TOTP second factor end to end (issue 14): a real server over HTTP, the no-JS pages driven like
 * a browser without script, openid-client as the RP checking `amr`/`acr` in the ID token. Codes
 * are computed from the secret the enrolment page shows, as an authenticator app would.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { totpCode } from '../../src/mfa/totp.ts';
import { startAuthorization, type Authorization } from '../helpers/sign-in.ts';
import { TestBrowser, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ACR_PWD = 'urn:portcullis:acr:pwd';
const ACR_MFA = 'urn:portcullis:acr:mfa';
const ACR_PHR = 'urn:portcullis:acr:phr';
const STEP = 30_000;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

type User = Awaited<ReturnType<TestServer['createUser']>>;

async function app(metadata: Record<string, unknown> = {}) {
  const client = await server.createClient(metadata);
  return { client, rp: await server.rp(client.clientId, client.clientSecret) };
}

async function password(browser: TestBrowser, page: Page, user: User): Promise<Page> {
  const after = await browser.submit(page, '/login', {
    username: user.username,
    password: user.password,
  });
  expect(after.status).toBe(303);
  return browser.follow(after, 'https://rp.example/');
}

/** Approves consent when asked; returns the redirect to the RP. */
async function toCallback(browser: TestBrowser, page: Page): Promise<Page> {
  let current = page;
  if (current.text.includes('name="decision"')) {
    const approved = await browser.submit(current, '/consent', { decision: 'approve' });
    current = await browser.follow(approved, 'https://rp.example/');
  }
  expect(current.location?.startsWith('https://rp.example/')).toBe(true);
  return current;
}

async function redeem(rp: oidc.Configuration, auth: Authorization, callback: Page) {
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback.location ?? ''), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return decodeJwt(tokens.id_token ?? '');
}

function secretOn(page: Page): string {
  const match = /class="pc-secret"[^>]*><code>([A-Z2-7 ]+)<\/code>/.exec(page.text);
  if (!match?.[1]) throw new Error(`no secret on ${page.url}:\n${page.text.slice(0, 400)}`);
  return match[1].replace(/ /g, '');
}

/** The error box of a page: the one answer every refused code gets. */
function alertOf(page: Page): string | undefined {
  return /<div class="pc-alert"[\s\S]*?<\/div>/.exec(page.text)?.[0];
}

function codesOn(page: Page): string[] {
  return [...page.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1] ?? '');
}

/** Signs `user` in to a client whose policy is `required` and enrols TOTP on the way. */
async function enrol(user: User) {
  const { client, rp } = await app({ mfa: 'required' });
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, rp, client.redirectUri);
  const enrolPage = await password(browser, auth.page, user);
  expect(enrolPage.status).toBe(200);
  expect(enrolPage.text).toContain('<svg');
  const secret = secretOn(enrolPage);
  const enrolledAt = Date.now();
  const shown = await browser.submit(enrolPage, '/mfa/enrol', {
    code: totpCode(secret, enrolledAt),
  });
  expect(shown.status).toBe(200);
  const codes = codesOn(shown);
  const done = await browser.follow(
    await browser.submit(shown, '/mfa/continue', {}),
    'https://rp.example/',
  );
  const claims = await redeem(rp, auth, await toCallback(browser, done));
  return { secret, codes, claims, browser, enrolStep: Math.floor(enrolledAt / STEP) };
}

/** A fresh browser signing in with a password to a client; stops at the second-factor page. */
async function challenge(user: User, metadata: Record<string, unknown> = { mfa: 'required' }) {
  const { client, rp } = await app(metadata);
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, rp, client.redirectUri);
  const page = await password(browser, auth.page, user);
  return { browser, auth, rp, page };
}

describe('TOTP enrolment at sign-in', () => {
  it('takes a user without a factor through enrolment for a client that requires one; the RP sees otp and mfa', async () => {
    const user = await server.createUser();
    const { claims, codes } = await enrol(user);
    expect(claims.acr).toBe(ACR_MFA);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const summary = await server.services.mfa.summary(user.id);
    expect(summary).toMatchObject({ totp: 'active', recoveryCodesLeft: 10 });
  });

  it('keeps the secret encrypted at rest and the recovery codes hashed', async () => {
    const user = await server.createUser();
    const { secret, codes } = await enrol(user);
    const stored = await server.services.store.credentials.findTotp(user.id);
    expect(stored?.sealedSecret.startsWith('enc:v1:')).toBe(true);
    expect(stored?.sealedSecret).not.toContain(secret);
    // A code as typed is not what is stored (the store only takes hashes).
    expect(await server.services.store.credentials.useRecoveryCode(user.id, codes[0] ?? '')).toBe(
      false,
    );
  });

  it('activates nothing on a wrong code (verify before active) and shows the same secret again', async () => {
    const user = await server.createUser();
    const { browser, page } = await challenge(user);
    const secret = secretOn(page);
    const current = totpCode(secret, Date.now());
    const wrong = await browser.submit(page, '/mfa/enrol', {
      code: current === '000000' ? '111111' : '000000',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('That code did not work');
    expect(secretOn(wrong)).toBe(secret);
    expect((await server.services.mfa.summary(user.id)).totp).toBe('pending');
    expect(await server.services.store.credentials.countRecoveryCodes(user.id)).toBe(0);
  });
});

describe('TOTP at sign-in', () => {
  it('asks a user with TOTP for a code even where the client only makes it optional (the default)', async () => {
    const user = await server.createUser();
    const { secret } = await enrol(user);
    const { browser, auth, rp, page } = await challenge(user, {});
    expect(page.text).toContain('autocomplete="one-time-code"');
    const passed = await browser.submit(page, '/mfa/totp', {
      code: totpCode(secret, Date.now() + STEP),
    });
    expect(passed.status).toBe(303);
    const claims = await redeem(
      rp,
      auth,
      await toCallback(browser, await browser.follow(passed, 'https://rp.example/')),
    );
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(ACR_MFA);
  });

  it('refuses a wrong code, a code from two steps ago and a replayed code with one answer', async () => {
    const user = await server.createUser();
    const { secret } = await enrol(user);
    const first = await challenge(user);
    const wrong = await first.browser.submit(first.page, '/mfa/totp', { code: '12345' });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('That code did not work');
    const old = await first.browser.submit(first.page, '/mfa/totp', {
      code: totpCode(secret, Date.now() - 2 * STEP - 1000),
    });
    expect(old.status).toBe(401);
    const next = totpCode(secret, Date.now() + STEP);
    const passed = await first.browser.submit(first.page, '/mfa/totp', { code: next });
    expect(passed.status).toBe(303);

    // The same code in another browser (another process would share the store alike): refused.
    const second = await challenge(user);
    const replayed = await second.browser.submit(second.page, '/mfa/totp', { code: next });
    expect(replayed.status).toBe(401);
    expect(alertOf(replayed)).toBe(alertOf(wrong));
    const events = await server.services.store.events.list(
      { subject: user.id, type: 'mfa.failed' },
      { limit: 10 },
    );
    expect(events.items.map((e) => e.details?.reason).sort()).toEqual([
      'replayed',
      'wrong',
      'wrong',
    ]);
  });

  it('locks the second factor after repeated wrong codes: even the right code is then refused alike', async () => {
    const user = await server.createUser();
    const { secret } = await enrol(user);
    const { browser, page } = await challenge(user);
    for (let i = 0; i < server.config.security.login.maxFailures; i += 1) {
      const wrong = await browser.submit(page, '/mfa/totp', { code: String(100000 + i) });
      expect(wrong.status).toBe(401);
    }
    const right = await browser.submit(page, '/mfa/totp', {
      code: totpCode(secret, Date.now() - STEP),
    });
    expect(right.status).toBe(401);
    expect(right.text).toContain('That code did not work');
    const locked = await server.services.store.events.list(
      { subject: user.id, type: 'mfa.locked' },
      { limit: 10 },
    );
    expect(locked.items).toHaveLength(1);
    // Metrics by factor (portcullis_second_factor_checks_total).
    const series = await server.metrics?.registry.getSingleMetricAsString(
      'portcullis_second_factor_checks_total',
    );
    expect(series).toMatch(/factor="totp",outcome="failure"} [1-9]/);
  });
});

describe('recovery codes', () => {
  it('lets each code sign in once, and regeneration makes the old ones useless', async () => {
    const user = await server.createUser();
    const { codes } = await enrol(user);
    const [first = '', second = ''] = codes;
    const one = await challenge(user);
    const used = await one.browser.submit(one.page, '/mfa/recovery', { code: first.toUpperCase() });
    expect(used.status).toBe(303);
    const claims = await redeem(
      one.rp,
      one.auth,
      await toCallback(one.browser, await one.browser.follow(used, 'https://rp.example/')),
    );
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await server.services.mfa.summary(user.id)).recoveryCodesLeft).toBe(9);

    const two = await challenge(user);
    const again = await two.browser.submit(two.page, '/mfa/recovery', { code: first });
    expect(again.status).toBe(401);

    const fresh = await server.services.mfa.regenerateRecoveryCodes(user.id);
    expect(fresh).toHaveLength(10);
    const stale = await two.browser.submit(two.page, '/mfa/recovery', { code: second });
    expect(stale.status).toBe(401);
    const ok = await two.browser.submit(two.page, '/mfa/recovery', { code: fresh[0] ?? '' });
    expect(ok.status).toBe(303);
    const recorded = await server.services.store.events.list(
      { subject: user.id, type: 'recovery_code.used' },
      { limit: 10 },
    );
    expect(recorded.items).toHaveLength(2);
  });

  it('warns on the second-factor page when few codes remain', async () => {
    const user = await server.createUser();
    const { codes } = await enrol(user);
    for (const code of codes.slice(0, 8)) {
      expect((await server.services.mfa.useRecoveryCode(user.id, code)).ok).toBe(true);
    }
    const { browser, auth, rp, page } = await challenge(user);
    expect(page.text).toContain('Only 2 recovery codes are left');

    // Using one of the last: offered new codes before going on; the old last one then fails.
    const used = await browser.submit(page, '/mfa/recovery', { code: codes[8] ?? '' });
    expect(used.status).toBe(200);
    expect(used.text).toContain('Few recovery codes left');
    expect(used.text).toContain('You have 1 unused recovery codes');
    // A forged pass regenerates nothing: 400, and the last old code still works afterwards.
    const forged = await browser.submit(used, '/mfa/regenerate', { pass: 'totp.AAAA' });
    expect(forged.status).toBe(400);
    expect(await server.services.store.credentials.countRecoveryCodes(user.id)).toBe(1);
    const fresh = await browser.submit(used, '/mfa/regenerate', {});
    expect(fresh.status).toBe(200);
    const newCodes = codesOn(fresh);
    expect(newCodes).toHaveLength(10);
    expect((await server.services.mfa.useRecoveryCode(user.id, codes[9] ?? '')).ok).toBe(false);
    const done = await browser.submit(fresh, '/mfa/continue', {});
    const claims = await redeem(
      rp,
      auth,
      await toCallback(browser, await browser.follow(done, 'https://rp.example/')),
    );
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe('step-up between clients and by acr_values', () => {
  it('steps a password session up in place when another client requires a second factor', async () => {
    const user = await server.createUser();
    const { secret } = await enrol(user);
    // Client A makes no demand: a password is enough.
    const a = await app({ mfa: 'none' });
    const browser = new TestBrowser();
    const authA = await startAuthorization(browser, a.rp, a.client.redirectUri);
    const claimsA = await redeem(
      a.rp,
      authA,
      await toCallback(browser, await password(browser, authA.page, user)),
    );
    expect(claimsA.acr).toBe(ACR_PWD);
    expect(claimsA.amr).toEqual(['pwd']);

    // Client B requires one: the same browser is asked for the code only, not the password.
    const b = await app({ mfa: 'required' });
    const authB = await startAuthorization(browser, b.rp, b.client.redirectUri);
    expect(authB.page.text).not.toContain('name="password"');
    expect(authB.page.text).toContain('/mfa/totp');
    const passed = await browser.submit(authB.page, '/mfa/totp', {
      code: totpCode(secret, Date.now() + STEP),
    });
    const claimsB = await redeem(
      b.rp,
      authB,
      await toCallback(browser, await browser.follow(passed, 'https://rp.example/')),
    );
    expect(claimsB.acr).toBe(ACR_MFA);
    expect(claimsB.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claimsB.sub).toBe(claimsA.sub);
  });

  it('asks for the password and the code again when max_age says the session is too old', async () => {
    const user = await server.createUser();
    const { secret, enrolStep } = await enrol(user);
    const { client, rp } = await app({ mfa: 'required' });
    const browser = new TestBrowser();
    const first = await startAuthorization(browser, rp, client.redirectUri);
    const firstStep = Math.floor(Date.now() / STEP) + 1;
    const code = await browser.submit(await password(browser, first.page, user), '/mfa/totp', {
      code: totpCode(secret, firstStep * STEP + 1000),
    });
    await redeem(
      rp,
      first,
      await toCallback(browser, await browser.follow(code, 'https://rp.example/')),
    );
    // OIDC Core §3.1.2.1: max_age=0 means authenticate again now.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await startAuthorization(browser, rp, client.redirectUri, { max_age: '0' });
    expect(again.page.text).toContain('name="password"');
    const challengePage = await password(browser, again.page, user);
    expect(challengePage.text).toContain('/mfa/totp');
    // A step of the ±1 window that neither the enrolment nor the first sign-in used (each code
    // works once), whichever side of a 30-second boundary this runs on.
    const now = Math.floor(Date.now() / STEP);
    const unused =
      [now - 1, now, now + 1].find((st) => st !== enrolStep && st !== firstStep) ?? now;
    const passed = await browser.submit(challengePage, '/mfa/totp', {
      code: totpCode(secret, unused * STEP + 1000),
    });
    const claims = await redeem(
      rp,
      again,
      await toCallback(browser, await browser.follow(passed, 'https://rp.example/')),
    );
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(claims.acr).toBe(ACR_MFA);
  });

  it('steps up for acr_values naming the multi-factor level on a client without a policy', async () => {
    const user = await server.createUser();
    const { secret } = await enrol(user);
    await server.services.mfa.removeTotp(user.id);
    // No factor now: the request's acr makes enrolment necessary, as a required policy would.
    const { client, rp } = await app({ mfa: 'none' });
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri, { acr_values: ACR_MFA });
    const page = await password(browser, auth.page, user);
    expect(page.text).toContain('/mfa/enrol');
    expect(secretOn(page)).not.toBe(secret);
  });

  it('answers acr_values for phishing-resistant with only TOTP enrolled with unmet_authentication_requirements', async () => {
    const user = await server.createUser();
    await enrol(user);
    const { client, rp } = await app({ mfa: 'none' });
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri, { acr_values: ACR_PHR });
    const back = await password(browser, auth.page, user);
    const location = new URL(back.location ?? '');
    expect(location.origin + location.pathname).toBe('https://rp.example/callback');
    expect(location.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(location.searchParams.get('code')).toBeNull();
  });
});

describe('hostile input on the second-factor forms', () => {
  it('answers oversized, repeated and forged fields with 4xx and changes nothing stored', async () => {
    const user = await server.createUser();
    const { secret } = await enrol(user);
    const { browser, page } = await challenge(user);
    const before = await server.services.store.credentials.findTotp(user.id);
    const oversized = await browser.submit(page, '/mfa/totp', { code: '1'.repeat(5000) });
    expect(oversized.status).toBe(400);
    const repeated = await browser.submit(page, '/mfa/totp', {}, '&code=1&code=2');
    expect(repeated.status).toBe(400);
    const noCsrf = await browser.submit(page, '/mfa/totp', {
      csrf: 'forged',
      code: totpCode(secret, Date.now()),
    });
    expect(noCsrf.status).toBe(403);
    const cont = await browser.request(
      page.url.replace(/\/interaction\/([^/]+).*/, '/interaction/$1/mfa/continue'),
      {
        method: 'POST',
        body: new URLSearchParams({ csrf: 'x', pass: 'totp.AAAA' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
    );
    expect(cont.status).toBeGreaterThanOrEqual(400);
    expect(cont.status).toBeLessThan(500);
    expect(await server.services.store.credentials.findTotp(user.id)).toEqual(before);
  });
});
