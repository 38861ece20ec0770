import { afterAll, describe, expect, it } from '@jest/globals';
import {
  startBackchannelReceiver,
  verifyLogoutToken,
  waitFor,
  type BackchannelReceiver,
} from '../helpers/backchannel-receiver.ts';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { spawnServer, waitFor as waitUntil, type Spawned } from '../helpers/spawn-server.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

/**
 * The store outbox (issue 17): a back-channel logout token survives a receiver outage, a server
 * restart and a second process on the same store, and arrives exactly once; a delivery that uses
 * its retry budget becomes a dead letter that can be re-queued.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Fast retries for tests; the receiver is on loopback, refused by default (SSRF rules). */
const FAST = {
  BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
  BACKCHANNEL_LOGOUT_ATTEMPTS: '10',
  BACKCHANNEL_LOGOUT_RETRY_DELAY_MS: '100',
  OUTBOX_MAX_RETRY_DELAY_SECONDS: '1',
  OUTBOX_POLL_INTERVAL_MS: '100',
};

async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ ...FAST, ...env });
  cleanups.push(() => server.stop({ graceMs: 100 }));
  return server;
}

/** A user signed in to a client whose logout endpoint is `url`, then logged out everywhere. */
async function signInAndLogOut(server: TestServer, url: string) {
  const user = await server.createUser();
  const app = await server.createClient({
    backchannel_logout_uri: url,
    backchannel_logout_session_required: true,
  });
  const browser = new TestBrowser();
  const rp = await server.rp(app.clientId, app.clientSecret);
  await signInAndRedeem(browser, rp, user, app.redirectUri);
  const confirm = await browser.get(`${server.issuer}/session/end`);
  const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
  expect(done.status).toBe(303);
  return { user, app };
}

async function pendingFor(server: TestServer, clientId: string) {
  return (
    await server.services.store.outbox.list(
      { target: clientId, kind: 'backchannel_logout' },
      { limit: 10 },
    )
  ).items;
}

function receiverOnPort(port: number): Promise<BackchannelReceiver> {
  return startBackchannelReceiver(port).then((r) => {
    cleanups.push(() => r.close());
    return r;
  });
}

describe('back-channel logout through the store outbox', () => {
  it('delivers a logout token exactly once after the receiver was down across a server restart', async () => {
    const data = tempDir('portcullis-outbox-');
    cleanups.push(() => data.remove());
    const receiverPort = await freePort();
    // The same address after the restart, so the token's issuer is the one that verifies it.
    const env = { STORE: 'sqlite', DATA_DIR: data.path, PORT: String(await freePort()) };

    const first = await start(env);
    const { user, app } = await signInAndLogOut(first, `http://127.0.0.1:${receiverPort}/bc`);
    // The first attempt was made while the receiver was down, and failed; the token waits.
    await waitFor(() => false, 300);
    const waiting = await pendingFor(first, app.clientId);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.attempts).toBeGreaterThanOrEqual(1);
    expect(waiting[0]?.lastError).toEqual(expect.any(String));
    await first.stop({ graceMs: 100 });

    const second = await start(env);
    const receiver = await receiverOnPort(receiverPort);
    await waitFor(() => receiver.deliveries.length >= 1, 5000);
    await sleep(1000); // long enough for any duplicate to arrive
    expect(receiver.deliveries).toHaveLength(1);
    const { payload } = await verifyLogoutToken(
      second.issuer,
      receiver.deliveries[0]?.token ?? '',
      app.clientId,
    );
    expect(payload.sub).toBe(user.id);
    expect(await pendingFor(second, app.clientId)).toEqual([]);
  });

  const twoWorkers = async (env: Record<string, string>) => {
    const receiverPort = await freePort();
    const a = await start(env);
    const b = await start(env);
    const url = `http://127.0.0.1:${receiverPort}/bc`;
    const logouts = await Promise.all([1, 2, 3, 4].map(() => signInAndLogOut(a, url)));
    await waitFor(() => false, 300);
    for (const { app } of logouts) expect(await pendingFor(b, app.clientId)).toHaveLength(1);

    const receiver = await receiverOnPort(receiverPort);
    await waitFor(() => receiver.deliveries.length >= logouts.length, 8000);
    await sleep(1500);
    const tokens = receiver.deliveries.map((d) => d.token);
    expect(tokens).toHaveLength(logouts.length);
    expect(new Set(tokens).size).toBe(logouts.length);
    for (const { app } of logouts) expect(await pendingFor(a, app.clientId)).toEqual([]);
  };

  it('delivers each token exactly once with two servers (own connection, own worker) polling one SQLite file', async () => {
    const data = tempDir('portcullis-outbox-two-');
    cleanups.push(() => data.remove());
    await twoWorkers({ STORE: 'sqlite', DATA_DIR: data.path });
  });

  it('delivers each token exactly once with two servers (own connection, own worker) on one MongoDB database (FerretDB)', async () => {
    await twoWorkers({
      STORE: 'mongodb',
      MONGODB_URI: requireMongoUri(),
      MONGODB_DB: uniqueDatabaseName('outbox_two'),
    });
  });

  it('delivers each token exactly once with two `portcullis serve` processes on one SQLite file', async () => {
    const data = tempDir('portcullis-outbox-processes-');
    cleanups.push(() => data.remove());
    const receiverPort = await freePort();
    const env = { STORE: 'sqlite', DATA_DIR: data.path };
    // Log out with the receiver down, then stop: the tokens wait in the file.
    const first = await start(env);
    const url = `http://127.0.0.1:${receiverPort}/bc`;
    const logouts = await Promise.all([1, 2, 3].map(() => signInAndLogOut(first, url)));
    await waitFor(() => false, 300);
    await first.stop({ graceMs: 100 });

    const processes: Spawned[] = [];
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const child = spawnServer({
        ...FAST,
        ...env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        ISSUER: first.issuer,
        METRICS_ENABLED: 'false',
        LOG_LEVEL: 'info',
      });
      processes.push(child);
      cleanups.push(async () => {
        child.child.kill('SIGTERM');
        await child.exited;
      });
    }
    for (const p of processes) {
      await waitUntil(() => p.lines.some((l) => l.includes('server.started')), 'a server to start');
    }
    const receiver = await receiverOnPort(receiverPort);
    await waitFor(() => receiver.deliveries.length >= logouts.length, 8000);
    await sleep(1500);
    const tokens = receiver.deliveries.map((d) => d.token);
    expect(tokens).toHaveLength(logouts.length);
    expect(new Set(tokens).size).toBe(logouts.length);
  });

  it('makes a dead letter of a delivery that used its retry budget, and delivers it once re-queued', async () => {
    const receiver = await startBackchannelReceiver();
    cleanups.push(() => receiver.close());
    receiver.answers.set('/down', [503]);
    const server = await start({ BACKCHANNEL_LOGOUT_ATTEMPTS: '3' });
    const { app } = await signInAndLogOut(server, `${receiver.url}/down`);

    await waitFor(() => receiver.deliveries.length >= 3, 5000);
    await sleep(600);
    expect(receiver.deliveries).toHaveLength(3);
    const [dead] = await pendingFor(server, app.clientId);
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastStatus: 503 });
    const events = await server.services.store.events.list(
      { type: 'delivery.dead_lettered' },
      { limit: 20 },
    );
    expect(events.items.some((e) => e.details?.delivery === dead?.id)).toBe(true);

    receiver.answers.set('/down', [200]);
    expect(await server.services.store.outbox.requeue(dead?.id ?? '')).toBe(true);
    await waitFor(() => receiver.deliveries.length >= 4, 3000);
    await sleep(300);
    expect(receiver.deliveries).toHaveLength(4);
    expect(await pendingFor(server, app.clientId)).toEqual([]);
  });
});
