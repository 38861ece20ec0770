import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  startBackchannelReceiver,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { startFerretDb, type FerretDb } from '../helpers/ferretdb.ts';
import { uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * The outbox through a database outage (issue 17): a logout token waiting for its receiver stays
 * in the store while the database is down (the worker's polls fail and are retried), and is
 * delivered once, after both are back.
 */

let ferret: FerretDb;
let server: TestServer | undefined;
let receiver: BackchannelReceiver | undefined;

beforeAll(async () => {
  ferret = await startFerretDb();
}, 30_000);
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  await receiver?.close();
  await ferret?.destroy();
}, 30_000);

describe('outbox and a database outage', () => {
  it('keeps a waiting logout token through the outage and delivers it once afterwards', async () => {
    const receiverPort = await freePort();
    server = await startTestServer({
      STORE: 'mongodb',
      MONGODB_URI: ferret.uri,
      MONGODB_DB: uniqueDatabaseName('outbox_outage'),
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1000',
      BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
      BACKCHANNEL_LOGOUT_ATTEMPTS: '10',
      BACKCHANNEL_LOGOUT_RETRY_DELAY_MS: '100',
      OUTBOX_MAX_RETRY_DELAY_SECONDS: '1',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    const user = await server.createUser();
    const app = await server.createClient({
      backchannel_logout_uri: `http://127.0.0.1:${receiverPort}/bc`,
      backchannel_logout_session_required: true,
    });
    const browser = new TestBrowser();
    await signInAndRedeem(
      browser,
      await server.rp(app.clientId, app.clientSecret),
      user,
      app.redirectUri,
    );
    const confirm = await browser.get(`${server.issuer}/session/end`);
    expect((await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' })).status).toBe(
      303,
    );
    await waitFor(() => false, 300);
    const waiting = await server.services.store.outbox.list({ target: app.clientId }, { limit: 5 });
    expect(waiting.items).toHaveLength(1);

    await ferret.stop();
    // Polls fail meanwhile; nothing is lost or sent.
    await waitFor(() => false, 2500);
    receiver = await startBackchannelReceiver(receiverPort);
    await waitFor(() => false, 500);
    expect(receiver.deliveries).toHaveLength(0);
    await ferret.start();

    // Generous: the driver reconnects and the worker backs off; a loaded machine is slower.
    await waitFor(() => (receiver?.deliveries.length ?? 0) >= 1, 30_000);
    await waitFor(() => false, 1000);
    expect(receiver.deliveries).toHaveLength(1);
    expect(
      (await server.services.store.outbox.list({ target: app.clientId }, { limit: 5 })).items,
    ).toEqual([]);
  }, 60_000);
});
