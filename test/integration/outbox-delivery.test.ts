import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCliInProcess } from '../helpers/run-cli-in-process.ts';
import { SQLITE_FILE_NAME } from '../../src/storage/create-store.ts';
import {
  BACKCHANNEL_EVENT,
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
import * as oidc from 'openid-client';

/**
 * The store outbox (issue 17): a back-channel logout token survives a receiver outage, a server
 * restart, a process killed right after the logout (SIGKILL) and a second process on the same
 * store, and arrives exactly once; a logout the CLI causes is durable before the session ends; a
 * logout whose token cannot be stored ends no session; a delivery that uses its retry budget
 * becomes a dead letter that can be re-queued.
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

/** `portcullis …` in this process against `env`'s store (test/helpers/run-cli-in-process.ts). */
const cli = (argv: string[], env: Record<string, string>) =>
  runCliInProcess(argv, { NODE_ENV: 'test', ...env });

/** `portcullis serve` in its own process, as an operator runs it, started. */
async function serveProcess(env: Record<string, string>): Promise<Spawned> {
  const child = spawnServer({
    ...FAST,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    METRICS_ENABLED: 'false',
    LOG_LEVEL: 'info',
    ...env,
  });
  cleanups.push(async () => {
    if (child.child.exitCode === null && child.child.signalCode === null) {
      child.child.kill('SIGTERM');
      await child.exited;
    }
  });
  await waitUntil(() => child.lines.some((l) => l.includes('server.started')), 'a server to start');
  return child;
}

/** An SQL trigger, from a second connection, that makes the database refuse every outbox row. */
function refuseOutboxRows(dataDir: string): { allow(): void } {
  const db = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME));
  db.exec(
    `CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox
     BEGIN SELECT RAISE(ABORT, 'outbox refuses'); END`,
  );
  return {
    allow() {
      db.exec('DROP TRIGGER outbox_refuses');
      db.close();
    },
  };
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

  it('delivers a logout token exactly once when the server is killed (SIGKILL) right after the logout', async () => {
    const data = tempDir('portcullis-outbox-kill-');
    cleanups.push(() => data.remove());
    const receiverPort = await freePort();
    const port = String(await freePort());
    const env = { STORE: 'sqlite', DATA_DIR: data.path, PORT: port };
    // A user and a client in the file, then the server that will die takes over the file.
    const setup = await start(env);
    const user = await setup.createUser();
    const app = await setup.createClient({
      backchannel_logout_uri: `http://127.0.0.1:${receiverPort}/bc`,
      backchannel_logout_session_required: true,
    });
    const { issuer } = setup;
    await setup.stop({ graceMs: 100 });

    const doomed = await serveProcess({ ...env, ISSUER: issuer });
    const browser = new TestBrowser();
    const rp = await oidc.discovery(
      new URL(issuer),
      app.clientId,
      undefined,
      oidc.ClientSecretBasic(app.clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    await signInAndRedeem(browser, rp, user, app.redirectUri);
    const confirm = await browser.get(`${issuer}/session/end`);
    expect((await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' })).status).toBe(
      303,
    );
    // No drain, no shutdown hook: whatever was only in the process's memory is gone now.
    doomed.child.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');

    const receiver = await receiverOnPort(receiverPort);
    const after = await start(env);
    await waitFor(() => receiver.deliveries.length >= 1, 8000);
    await sleep(1000); // long enough for any duplicate to arrive
    expect(receiver.deliveries).toHaveLength(1);
    const { payload } = await verifyLogoutToken(
      issuer,
      receiver.deliveries[0]?.token ?? '',
      app.clientId,
    );
    expect(payload.sub).toBe(user.id);
    // Stored as an intent and signed by the worker: the delivery's id is the token's jti.
    expect(payload.jti).toMatch(/^msg_/);
    expect(await pendingFor(after, app.clientId)).toEqual([]);
  });

  it('keeps the logout of a session the CLI ended, receiver down and no server running, and a server delivers it once with a stable jti', async () => {
    const data = tempDir('portcullis-outbox-cli-');
    cleanups.push(() => data.remove());
    const receiverPort = await freePort();
    const env = { STORE: 'sqlite', DATA_DIR: data.path, PORT: String(await freePort()) };
    const first = await start(env);
    const user = await first.createUser();
    const app = await first.createClient({
      backchannel_logout_uri: `http://127.0.0.1:${receiverPort}/bc`,
      backchannel_logout_session_required: true,
    });
    await signInAndRedeem(
      new TestBrowser(),
      await first.rp(app.clientId, app.clientSecret),
      user,
      app.redirectUri,
    );
    const { issuer } = first;
    await first.stop({ graceMs: 100 });

    // The CLI ends the session with nobody to receive the token, then exits.
    const ended = await cli(['user', 'signout', user.username], {
      ...FAST,
      ...env,
      ISSUER: issuer,
    });
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('1 session(s)');

    const receiver = await receiverOnPort(receiverPort);
    const server = await start(env);
    expect(await server.services.store.oidc.findByAccountId('Session', user.id, 10)).toEqual([]);
    await waitFor(() => receiver.deliveries.length >= 1, 8000);
    await sleep(1000);
    expect(receiver.deliveries).toHaveLength(1);
    const { payload } = await verifyLogoutToken(
      issuer,
      receiver.deliveries[0]?.token ?? '',
      app.clientId,
    );
    expect(payload).toMatchObject({
      sub: user.id,
      sid: expect.any(String),
      events: { [BACKCHANNEL_EVENT]: {} },
    });
    expect(payload).not.toHaveProperty('nonce');
    // Signed by the worker at the attempt, with the delivery's id: the same jti on every retry.
    expect(payload.jti).toMatch(/^msg_/);
    const events = await server.services.store.events.list(
      { type: 'backchannel_logout.delivered', clientId: app.clientId },
      { limit: 5 },
    );
    expect(events.items.map((e) => e.details?.delivery)).toEqual([payload.jti]);
  });

  it('ends no session when its logout token cannot be stored, and ends it once it can', async () => {
    const data = tempDir('portcullis-outbox-refused-');
    cleanups.push(() => data.remove());
    const receiver = await startBackchannelReceiver();
    cleanups.push(() => receiver.close());
    const server = await start({ STORE: 'sqlite', DATA_DIR: data.path });
    const user = await server.createUser();
    const app = await server.createClient({
      backchannel_logout_uri: `${receiver.url}/refused`,
      backchannel_logout_session_required: true,
    });
    const browser = new TestBrowser();
    await signInAndRedeem(
      browser,
      await server.rp(app.clientId, app.clientSecret),
      user,
      app.redirectUri,
    );
    const sessions = () => server.services.store.oidc.findByAccountId('Session', user.id, 10);
    expect(await sessions()).toHaveLength(1);

    // RP-initiated logout: the engine hands the token over, the store refuses it.
    const refusal = refuseOutboxRows(data.path);
    const confirm = await browser.get(`${server.issuer}/session/end`);
    const failed = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(failed.status).toBe(503);
    expect(await sessions()).toHaveLength(1);
    // The same for a session the server ends itself (here through the CLI): nothing ends.
    const cliEnded = await cli(['user', 'signout', user.username], {
      STORE: 'sqlite',
      DATA_DIR: data.path,
      ISSUER: server.issuer,
      BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    expect(cliEnded.code).not.toBe(0);
    expect(await sessions()).toHaveLength(1);
    expect(receiver.deliveries).toEqual([]);

    refusal.allow();
    const again = await browser.get(`${server.issuer}/session/end`);
    expect((await browser.submit(again, '/session/end/confirm', { logout: 'yes' })).status).toBe(
      303,
    );
    expect(await sessions()).toEqual([]);
    await waitFor(() => receiver.deliveries.length >= 1, 5000);
    await sleep(500);
    expect(receiver.deliveries).toHaveLength(1);
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

  it('makes a dead letter at once of a logout whose client is gone before it could be delivered', async () => {
    const server = await start({});
    const port = await freePort(); // nobody listens: the first attempt fails
    const { app } = await signInAndLogOut(server, `http://127.0.0.1:${port}/bc`);
    await waitFor(() => false, 300);
    const [waiting] = await pendingFor(server, app.clientId);
    expect(waiting?.state).toBe('pending');

    await server.services.store.oidc.destroy('Client', app.clientId);
    await waitFor(() => false, 2500);
    const [dead] = await pendingFor(server, app.clientId);
    // Nobody left to tell: a dead letter at the next attempt, not after the budget (10).
    expect(dead?.state).toBe('dead');
    expect(dead?.attempts).toBeLessThan(10);
    expect(dead?.lastError).toMatch(/no longer has a back-channel logout URI/);
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
