import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import {
  BACKCHANNEL_EVENT,
  startBackchannelReceiver,
  verifyLogoutToken,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';

/**
 * Logout everywhere (issue 6 item 3): OpenID Connect Back-Channel Logout 1.0 to every client of
 * the session that registered a `backchannel_logout_uri`, with retried delivery, checked by a
 * small relying-party receiver on loopback; and revocation of the session's tokens on logout.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: TestServer;
let receiver: BackchannelReceiver;
let api: { clientId: string; clientSecret: string };

beforeAll(async () => {
  receiver = await startBackchannelReceiver();
  server = await startTestServer({
    // The receiver lives on loopback, which oidc-provider's SSRF protection refuses by default.
    BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
    BACKCHANNEL_LOGOUT_ATTEMPTS: '4',
    BACKCHANNEL_LOGOUT_RETRY_DELAY_MS: '100',
  });
  api = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  await receiver?.close();
});

/** A client whose back-channel logout endpoint is `path` on the receiver. */
async function appWithBackchannel(
  on: TestServer,
  path: string,
  extra: Record<string, unknown> = {},
) {
  return on.createClient({
    backchannel_logout_uri: `${receiver.url}${path}`,
    backchannel_logout_session_required: true,
    ...extra,
  });
}

/** Signs `user` in to `app` in `browser`; answers the tokens. */
async function signIn(
  on: TestServer,
  browser: TestBrowser,
  app: Awaited<ReturnType<TestServer['createClient']>>,
  user: { username: string; password: string },
) {
  const rp = await on.rp(app.clientId, app.clientSecret);
  const { tokens } = await signInAndRedeem(browser, rp, user, app.redirectUri);
  return { rp, tokens };
}

/** RP-initiated logout of everything, confirmed by the user. */
async function logOut(on: TestServer, browser: TestBrowser): Promise<void> {
  const confirm = await browser.get(`${on.issuer}/session/end`);
  const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
  expect(done.status).toBe(303);
}

async function introspect(token: string): Promise<boolean> {
  const apiRp = await server.rp(api.clientId, api.clientSecret);
  return (await oidc.tokenIntrospection(apiRp, token)).active;
}

describe('back-channel logout (OIDC Back-Channel Logout 1.0; ASVS 10.5.x, 7.4.1)', () => {
  it('advertises back-channel logout with session ids in discovery', async () => {
    const doc = (await (
      await fetch(`${server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(doc.backchannel_logout_supported).toBe(true);
    expect(doc.backchannel_logout_session_supported).toBe(true);
  });

  it('sends every client of the session that registered a URI a logout token signed with a published key', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const mail = await appWithBackchannel(server, '/mail');
    const wiki = await appWithBackchannel(server, '/wiki');
    const plain = await server.createClient();
    const signedInMail = await signIn(server, browser, mail, user);
    await signIn(server, browser, wiki, user);
    await signIn(server, browser, plain, user);

    await logOut(server, browser);
    await waitFor(
      () => receiver.deliveries.filter((d) => d.path === '/mail' || d.path === '/wiki').length >= 2,
    );
    const mine = receiver.deliveries.filter((d) => d.path === '/mail' || d.path === '/wiki');
    expect(mine.map((d) => d.path).sort()).toEqual(['/mail', '/wiki']);

    for (const delivery of mine) {
      const audience = delivery.path === '/mail' ? mail.clientId : wiki.clientId;
      // §2.4: typ logout+jwt, iss, aud, iat, jti, sub and/or sid, the events claim, never a nonce.
      const { payload, protectedHeader } = await verifyLogoutToken(
        server.issuer,
        delivery.token,
        audience,
      );
      expect(protectedHeader.typ).toBe('logout+jwt');
      expect(payload.sub).toBe(user.id);
      expect(payload.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
      expect(payload).not.toHaveProperty('nonce');
      expect(typeof payload.jti).toBe('string');
      expect(typeof payload.iat).toBe('number');
      expect(typeof payload.sid).toBe('string');
    }
    // The sid is the one the client got in its ID token for this session (§2.1).
    const mailToken = mine.find((d) => d.path === '/mail')?.token ?? '';
    const sid = (
      JSON.parse(Buffer.from(mailToken.split('.')[1] ?? '', 'base64url').toString()) as {
        sid?: string;
      }
    ).sid;
    expect(sid).toBe(signedInMail.tokens.claims()?.sid);

    const delivered = await server.services.store.events.list(
      { type: 'backchannel_logout.delivered', subject: user.id },
      { limit: 10 },
    );
    expect(delivered.items.map((e) => e.clientId).sort()).toEqual(
      [mail.clientId, wiki.clientId].sort(),
    );
  });

  it('retries a failed delivery with growing delays until the client takes it', async () => {
    receiver.answers.set('/flaky', [503, 503, 200]);
    const user = await server.createUser();
    const browser = new TestBrowser();
    const flaky = await appWithBackchannel(server, '/flaky');
    await signIn(server, browser, flaky, user);
    await logOut(server, browser);

    await waitFor(() => receiver.deliveries.filter((d) => d.path === '/flaky').length >= 3);
    const attempts = receiver.deliveries.filter((d) => d.path === '/flaky');
    expect(attempts).toHaveLength(3);
    // The same logout each time: one jti, for one subject and session (§2.4: the receiver
    // dedupes on jti). The token is signed again at each attempt (src/oidc/logout-token.ts), so
    // `iat` and `exp` may move.
    const claims = attempts.map(
      (d) =>
        JSON.parse(Buffer.from(d.token.split('.')[1] ?? '', 'base64url').toString()) as Record<
          string,
          unknown
        >,
    );
    expect(typeof claims[0]?.jti).toBe('string');
    expect(new Set(claims.map((c) => c.jti)).size).toBe(1);
    expect(new Set(claims.map((c) => `${String(c.sub)} ${String(c.sid)}`)).size).toBe(1);
    await waitFor(() => false, 100);
    const events = await server.services.store.events.list(
      { typePrefix: 'backchannel_logout.', subject: user.id },
      { limit: 10 },
    );
    expect(events.items.map((e) => [e.type, e.details?.attempt]).reverse()).toEqual([
      ['backchannel_logout.failed', 1],
      ['backchannel_logout.failed', 2],
      ['backchannel_logout.delivered', 3],
    ]);
  });

  it('gives up after the configured number of attempts, and never retries a 400', async () => {
    receiver.answers.set('/down', [503]);
    receiver.answers.set('/refuses', [400]);
    const user = await server.createUser();
    const browser = new TestBrowser();
    await signIn(server, browser, await appWithBackchannel(server, '/down'), user);
    await signIn(server, browser, await appWithBackchannel(server, '/refuses'), user);
    await logOut(server, browser);

    // 100 + 200 + 400 ms of back-off for the four attempts; then nothing more comes.
    await sleep(1500);
    expect(receiver.deliveries.filter((d) => d.path === '/down')).toHaveLength(4);
    expect(receiver.deliveries.filter((d) => d.path === '/refuses')).toHaveLength(1);
    const failed = await server.services.store.events.list(
      { type: 'backchannel_logout.failed', subject: user.id },
      { limit: 10 },
    );
    expect(failed.items.filter((e) => e.details?.final === true)).toHaveLength(2);
  });
});

describe("logout revokes the session's tokens (RFC 9700 §4.14.2, ASVS 7.4.1)", () => {
  it('revokes tokens bound to the session, while offline refresh tokens survive by default (OIDC Core §11)', async () => {
    const user = await server.createUser();
    const browser = new TestBrowser();
    const app = await server.createClient();
    const rp = await server.rp(app.clientId, app.clientSecret);
    const online = await signInAndRedeem(browser, rp, user, app.redirectUri, {
      scope: 'openid profile',
    });
    const offlineApp = await server.createClient();
    const offline = await signIn(server, browser, offlineApp, user);
    expect(await introspect(online.tokens.access_token)).toBe(true);

    await logOut(server, browser);
    expect(await introspect(online.tokens.access_token)).toBe(false);
    const refreshed = await oidc.refreshTokenGrant(offline.rp, offline.tokens.refresh_token ?? '');
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  it('also revokes offline refresh tokens on logout with LOGOUT_REVOKES_OFFLINE_TOKENS', async () => {
    const strict = await startTestServer({ LOGOUT_REVOKES_OFFLINE_TOKENS: 'true' });
    try {
      const user = await strict.createUser();
      const browser = new TestBrowser();
      const app = await strict.createClient();
      const { rp, tokens } = await signIn(strict, browser, app, user);
      await logOut(strict, browser);
      await expect(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).rejects.toMatchObject({
        error: 'invalid_grant',
      });
      const revoked = await strict.services.store.events.list(
        { type: 'grant.revoked', subject: user.id },
        { limit: 5 },
      );
      expect(revoked.items.some((e) => e.details?.offline === true)).toBe(true);
    } finally {
      await strict.stop({ graceMs: 100 });
    }
  });
});
