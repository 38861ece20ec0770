import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BACKCHANNEL_EVENT,
  startBackchannelReceiver,
  verifyLogoutToken,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Logout everywhere (issue 6): sessions the server ends itself — a password reset, a disabled
 * user, the concurrent-session limit — are announced to every client of them that registered a
 * `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0 §2.7), as RP-initiated logout does.
 */

let server: TestServer;
let receiver: BackchannelReceiver;

beforeAll(async () => {
  receiver = await startBackchannelReceiver();
  server = await startTestServer({
    // The receiver lives on loopback, which oidc-provider's SSRF protection refuses by default.
    BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
    BACKCHANNEL_LOGOUT_RETRY_DELAY_MS: '50',
  });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  await receiver?.close();
});

const deliveriesTo = (path: string) => receiver.deliveries.filter((d) => d.path === path);

/** Signs a new user in to a new client whose back-channel endpoint is `path`; answers the ID token's sid. */
async function signedInUser(on: TestServer, path: string) {
  const user = await on.createUser();
  const app = await on.createClient({
    backchannel_logout_uri: `${receiver.url}${path}`,
    backchannel_logout_session_required: true,
  });
  const rp = await on.rp(app.clientId, app.clientSecret);
  const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, app.redirectUri);
  const sid = tokens.claims()?.sid;
  expect(typeof sid).toBe('string');
  return { user, app, sid };
}

/** §2.6: the token verifies as the RP must check it, names the user and the session's sid. */
async function expectLogoutToken(
  on: TestServer,
  path: string,
  clientId: string,
  sub: string,
  sid: unknown,
) {
  await waitFor(() => deliveriesTo(path).length >= 1);
  const [delivery] = deliveriesTo(path);
  expect(delivery).toBeDefined();
  const { payload, protectedHeader } = await verifyLogoutToken(
    on.issuer,
    delivery?.token ?? '',
    clientId,
  );
  expect(protectedHeader.typ).toBe('logout+jwt');
  expect(payload.sub).toBe(sub);
  expect(payload.sid).toBe(sid);
  expect(payload.events).toEqual({ [BACKCHANNEL_EVENT]: {} });
  expect(payload).not.toHaveProperty('nonce');
}

describe('back-channel logout when the server ends sessions itself (OIDC Back-Channel Logout 1.0 §2.7)', () => {
  it('sends the client a logout token for the session when an admin resets the password', async () => {
    const { user, app, sid } = await signedInUser(server, '/reset');
    await server.services.accounts.setPassword(user.id, 'a brand new passphrase');
    await expectLogoutToken(server, '/reset', app.clientId, user.id, sid);
    expect(await server.services.store.oidc.findByAccountId('Session', user.id, 10)).toEqual([]);
    const delivered = await server.services.store.events.list(
      { type: 'backchannel_logout.delivered', subject: user.id },
      { limit: 5 },
    );
    expect(delivered.items.map((e) => e.clientId)).toEqual([app.clientId]);
  });

  it('sends the client a logout token for the session when the user is disabled', async () => {
    const { user, app, sid } = await signedInUser(server, '/disabled');
    await server.services.accounts.setDisabled(user.id, true);
    await expectLogoutToken(server, '/disabled', app.clientId, user.id, sid);
  });

  it('tells nobody when a user is enabled again, nor clients without a back-channel URI', async () => {
    const { user } = await signedInUser(server, '/enabled');
    const plainUser = await server.createUser();
    const plain = await server.createClient();
    await signInAndRedeem(
      new TestBrowser(),
      await server.rp(plain.clientId, plain.clientSecret),
      plainUser,
      plain.redirectUri,
    );
    const before = receiver.deliveries.length;

    await server.services.accounts.setDisabled(user.id, false);
    await server.services.accounts.setPassword(plainUser.id, 'another new passphrase');
    await waitFor(() => false, 200);
    expect(receiver.deliveries.length).toBe(before);
  });

  it('still changes the password when the client cannot be reached', async () => {
    receiver.answers.set('/down', [503]);
    const { user } = await signedInUser(server, '/down');
    const updated = await server.services.accounts.setPassword(user.id, 'yet another passphrase');
    expect(updated.id).toBe(user.id);
    expect(
      await server.services.accounts.authenticate(user.username, 'yet another passphrase'),
    ).toMatchObject({ id: user.id });
    expect(deliveriesTo('/down').length).toBeGreaterThanOrEqual(1);
  });

  it('sends the client a logout token for the session the concurrent-session limit ends', async () => {
    const limited = await startTestServer({
      BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
      SESSION_MAX_CONCURRENT: '1',
      SESSION_LIMIT_ACTION: 'oldest',
    });
    try {
      const { user, app, sid } = await signedInUser(limited, '/limit');
      const rp = await limited.rp(app.clientId, app.clientSecret);
      // A second browser: a second session, which ends the first.
      const second = await signInAndRedeem(new TestBrowser(), rp, user, app.redirectUri);
      expect(second.tokens.claims()?.sid).not.toBe(sid);
      await expectLogoutToken(limited, '/limit', app.clientId, user.id, sid);
      expect(deliveriesTo('/limit')).toHaveLength(1);
    } finally {
      await limited.stop({ graceMs: 100 });
    }
  });
});
