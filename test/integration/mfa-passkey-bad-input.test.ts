/**
 * Hostile WebAuthn input (issue 14 Tests, "Bad input"): malformed responses, a challenge from
 * another sign-in, a foreign origin, another user's credential, oversized payloads. Each gets a
 * clear 4xx, never a 5xx, and nothing stored changes. The responses are forged without an
 * authenticator: each is refused before any signature would be checked. The real ceremonies run
 * in Chromium (test/e2e/mfa-passkeys.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser, parseForms, type Page } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

const b64 = (value: string | object) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An assertion whose clientDataJSON says what we want; no signature can make it valid. */
function forgedAssertion(credentialId: string, clientData: Record<string, unknown>) {
  return JSON.stringify({
    id: credentialId,
    rawId: credentialId,
    type: 'public-key',
    response: {
      clientDataJSON: b64(clientData),
      authenticatorData: b64('x'.repeat(37)),
      signature: b64('sig'),
    },
    clientExtensionResults: {},
  });
}

async function userWithPasskey() {
  const user = await server.createUser();
  const id = Buffer.from(`cred-${user.id}`).toString('base64url');
  await server.services.store.credentials.addPasskey({
    id,
    accountId: user.id,
    name: 'Key',
    publicKey: b64('not-a-real-cose-key'),
    counter: 5,
    transports: ['usb'],
    attachment: 'cross-platform',
    deviceType: 'singleDevice',
    backedUp: false,
    createdAt: Date.now(),
    lastUsedAt: undefined,
  });
  return { user, credentialId: id };
}

/** Password, then the second-factor page (the user has a passkey, the default policy asks for it). */
async function secondFactorPage(user: { username: string; password: string }) {
  const client = await server.createClient();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, rp, client.redirectUri);
  const after = await browser.submit(auth.page, '/login', {
    username: user.username,
    password: user.password,
  });
  const page = await browser.follow(after, 'https://rp.example/');
  expect(page.text).toContain('data-passkey-purpose="second-factor"');
  return { browser, page };
}

async function options(browser: TestBrowser, page: Page, purpose: string) {
  const form = parseForms(page.text).find((f) => f.action.endsWith('/mfa/passkey'));
  const res = await browser.request(new URL(form?.action ?? '', page.url).href + '-options', {
    method: 'POST',
    body: new URLSearchParams({ csrf: form?.fields.csrf ?? '', purpose }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  return {
    status: res.status,
    body: res.status === 200 ? (JSON.parse(res.text) as { challenge: string }) : undefined,
  };
}

function verify(browser: TestBrowser, page: Page, purpose: string, response: string) {
  return browser.submit(page, '/mfa/passkey', { purpose, response });
}

describe('hostile WebAuthn input', () => {
  it('answers malformed and oversized responses with 400, and stores nothing', async () => {
    const { user, credentialId } = await userWithPasskey();
    const { browser, page } = await secondFactorPage(user);
    const before = await server.services.store.credentials.listPasskeys(user.id);
    for (const response of ['', 'not json', '{"id":1}', JSON.stringify({ id: credentialId })]) {
      expect((await options(browser, page, 'second-factor')).status).toBe(200);
      const res = await verify(browser, page, 'second-factor', response);
      expect([response, res.status]).toEqual([response, 400]);
    }
    expect((await options(browser, page, 'second-factor')).status).toBe(200);
    const oversized = await verify(browser, page, 'second-factor', 'x'.repeat(20_000));
    expect(oversized.status).toBeGreaterThanOrEqual(400);
    expect(oversized.status).toBeLessThan(500);
    expect(await server.services.store.credentials.listPasskeys(user.id)).toEqual(before);
  });

  it('refuses a response with no ceremony in progress, a challenge from another sign-in and a foreign origin', async () => {
    const { user, credentialId } = await userWithPasskey();
    const one = await secondFactorPage(user);
    const other = await secondFactorPage(user);
    // Nothing asked yet in this interaction: no challenge to answer.
    const none = await verify(
      one.browser,
      one.page,
      'second-factor',
      forgedAssertion(credentialId, {}),
    );
    expect(none.status).toBe(400);

    const theirs = await options(other.browser, other.page, 'second-factor');
    await options(one.browser, one.page, 'second-factor');
    const foreignChallenge = await verify(
      one.browser,
      one.page,
      'second-factor',
      forgedAssertion(credentialId, {
        type: 'webauthn.get',
        challenge: theirs.body?.challenge,
        origin: server.issuer,
      }),
    );
    expect(foreignChallenge.status).toBe(400);

    const mine = await options(one.browser, one.page, 'second-factor');
    const foreignOrigin = await verify(
      one.browser,
      one.page,
      'second-factor',
      forgedAssertion(credentialId, {
        type: 'webauthn.get',
        challenge: mine.body?.challenge,
        origin: 'https://portcullis.example.evil',
      }),
    );
    expect(foreignOrigin.status).toBe(400);
    // The counter and last use are untouched: nothing was accepted.
    const [key] = await server.services.store.credentials.listPasskeys(user.id);
    expect(key).toMatchObject({ counter: 5, lastUsedAt: undefined });
    const failed = await server.services.store.events.list(
      { subject: user.id, type: 'mfa.failed' },
      { limit: 10 },
    );
    expect(failed.items.map((e) => e.details?.factor)).toEqual(['passkey', 'passkey']);
  });

  it("refuses another user's credential as this user's second factor", async () => {
    const mine = await userWithPasskey();
    const theirs = await userWithPasskey();
    const { browser, page } = await secondFactorPage(mine.user);
    const { body } = await options(browser, page, 'second-factor');
    const res = await verify(
      browser,
      page,
      'second-factor',
      forgedAssertion(theirs.credentialId, {
        type: 'webauthn.get',
        challenge: body?.challenge,
        origin: server.issuer,
      }),
    );
    expect(res.status).toBe(400);
    const failed = await server.services.store.events.list(
      { subject: mine.user.id, type: 'mfa.failed' },
      { limit: 10 },
    );
    expect(failed.items[0]?.details?.reason).toBe('credential of another user');
  });

  it('refuses a ceremony the page does not offer (registration during a challenge, passwordless after the password)', async () => {
    const { user } = await userWithPasskey();
    const { browser, page } = await secondFactorPage(user);
    expect((await options(browser, page, 'register')).status).toBe(400);
    expect((await options(browser, page, 'passwordless')).status).toBe(400);
    expect((await options(browser, page, 'anything')).status).toBe(400);
    expect(await server.services.store.credentials.listPasskeys(user.id)).toHaveLength(1);
  });
});
