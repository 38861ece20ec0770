import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { openServices } from '../../src/open-services.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, tempDir, unique } from '../helpers/test-server.ts';
import { spawnServer, waitFor, type Spawned } from '../helpers/spawn-server.ts';
import { fresh, records } from '../helpers/worker-requests.ts';

const REDIRECT_URI = 'https://rp.example/callback';

function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  if (line === undefined) throw new Error(`no sample ${sample}`);
  return Number(line.slice(sample.length + 1));
}

/** The Location of a GET sent with `cookie` on a new TCP connection (so to either worker). */
function freshRedirect(url: string, cookie: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: cookie ? { cookie } : {}, agent: false }, (res) => {
      res.resume();
      resolve(res.headers.location ?? '');
    });
    req.on('error', reject);
    req.end();
  });
}

const data = tempDir('portcullis-workers-');
let issuer: string;
let metricsUrl: string;
let user: { username: string; password: string };
let client: { clientId: string; clientSecret: string };
let server: Spawned;

beforeAll(async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const env = { NODE_ENV: 'test', STORE: 'sqlite', DATA_DIR: data.path };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  // A user and our form client, written to the SQLite file the workers will share.
  const services = await openServices(loaded.config, createLogger({ level: 'silent' }));
  user = { username: unique('user'), password: `pw-${randomBytes(12).toString('base64url')}` };
  await services.accounts.create({
    ...user,
    email: `${user.username}@example.com`,
    emailVerified: true,
    claims: { name: 'Worker Test' },
  });
  client = { clientId: unique('app'), clientSecret: randomBytes(32).toString('base64url') };
  await services.store.oidc.upsert('Client', client.clientId, {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  await services.close();

  server = spawnServer({
    ...env,
    WORKERS: '2',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
  });
  await waitFor(
    () => records(server).some((r) => r.event === 'server.started' && r.workers === 2),
    'both workers to listen',
  );
});
afterAll(() => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  data.remove();
});

describe('WORKERS=2 on one SQLite file', () => {
  const basic = () =>
    `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  const refresh = (refreshToken: string) =>
    fresh(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }).toString(),
    });
  const userinfo = (accessToken: string) =>
    fresh(`${issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });

  /** Refreshes `rounds` times in a row, each on a new connection, checking userinfo each time. */
  async function chain(refreshToken: string, rounds: number): Promise<string> {
    let current = refreshToken;
    for (let i = 0; i < rounds; i++) {
      const res = await refresh(current);
      expect(res.status).toBe(200);
      current = String(res.json.refresh_token);
      const info = await userinfo(String(res.json.access_token));
      expect(info.status).toBe(200);
    }
    return current;
  }

  let refreshTokens: string[] = [];

  it('signs in on one worker and refreshes on the other: sessions, keys and cookie keys live in the store', async () => {
    const rp = await oidc.discovery(
      new URL(issuer),
      client.clientId,
      undefined,
      oidc.ClientSecretBasic(client.clientSecret),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const signIns = await Promise.all(
      [1, 2].map(() => signInAndRedeem(new TestBrowser(), rp, user, REDIRECT_URI)),
    );
    const loginPids = records(server)
      .filter(
        (r) =>
          r.event === 'http.request' && r.route === '/interaction/:uid/login' && r.status === 303,
      )
      .map((r) => r.pid);
    expect(loginPids).toHaveLength(2);

    // Two refresh chains at once (concurrent writes), each request on a new connection.
    refreshTokens = await Promise.all(
      signIns.map(({ tokens }) => chain(tokens.refresh_token ?? '', 6)),
    );

    const tokenPids = new Set(
      records(server)
        .filter((r) => r.event === 'http.request' && r.route === '/token')
        .map((r) => r.pid),
    );
    const userinfoPids = new Set(
      records(server)
        .filter((r) => r.event === 'http.request' && r.route === '/me')
        .map((r) => r.pid),
    );
    expect(tokenPids.size).toBe(2);
    expect(userinfoPids.size).toBe(2);
    // Both workers served requests of a session that was signed in on one of them.
    for (const pid of loginPids) expect([...tokenPids].some((p) => p !== pid)).toBe(true);
  });

  it('answers one scrape with the metrics of every worker added up', async () => {
    const text = await (await fetch(metricsUrl)).text();
    expect(metricValue(text, 'portcullis_cluster_workers')).toBe(2);
    expect(metricValue(text, 'portcullis_sign_ins_total{outcome="success"}')).toBe(2);
    expect(
      metricValue(
        text,
        'portcullis_tokens_issued_total{grant_type="refresh_token",token_type="refresh_token"}',
      ),
    ).toBe(12);
    expect(
      metricValue(
        text,
        'portcullis_tokens_issued_total{grant_type="authorization_code",token_type="id_token"}',
      ),
    ).toBe(2);
    expect((await fetch(`${issuer}/metrics`)).status).toBe(404);
  });

  it('a logout on one worker ends single sign-on on the other', async () => {
    const rp = await oidc.discovery(
      new URL(issuer),
      client.clientId,
      undefined,
      oidc.ClientSecretBasic(client.clientSecret),
      { execute: [oidc.allowInsecureRequests] },
    );
    const browser = new TestBrowser();
    await signInAndRedeem(browser, rp, user, REDIRECT_URI);
    /** A silent authorization request with the browser's cookies, on a new connection. */
    const silent = async () => {
      const url = oidc.buildAuthorizationUrl(rp, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        prompt: 'none',
        code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        state: oidc.randomState(),
      });
      let location = url.href;
      // /auth redirects to /auth/:uid (the interaction) and on to the RP, all with cookies.
      for (let hop = 0; hop < 5 && location.startsWith(issuer); hop += 1) {
        const answer = await freshRedirect(location, browser.cookieHeader(new URL(location)));
        location = new URL(answer, location).href;
      }
      const back = new URL(location);
      return back.searchParams.get('code') !== null ? 'signed in' : back.searchParams.get('error');
    };
    const authPids = () =>
      new Set(
        records(server)
          .filter((r) => r.event === 'http.request' && r.route === '/auth')
          .map((r) => r.pid),
      );
    // Signed in, as seen from both workers (consecutive new connections alternate).
    expect([await silent(), await silent()]).toEqual(['signed in', 'signed in']);

    const confirm = await browser.get(`${issuer}/session/end`);
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.status).toBe(303);
    const before = authPids().size;
    expect([await silent(), await silent(), await silent()]).toEqual([
      'login_required',
      'login_required',
      'login_required',
    ]);
    expect(Math.max(before, authPids().size)).toBe(2);
  });

  it('restarts a worker that crashed, and keeps serving', async () => {
    const listening = () => records(server).filter((r) => r.event === 'cluster.worker.listening');
    const victim = Number(listening()[0]?.workerPid);
    process.kill(victim, 'SIGKILL');
    await waitFor(
      () =>
        records(server).some((r) => r.event === 'cluster.worker.died' && r.workerPid === victim),
      'the crash to be seen',
    );
    await waitFor(() => listening().length === 3, 'a replacement worker to listen');
    const replacement = Number(listening()[2]?.workerPid);
    expect(replacement).not.toBe(victim);

    refreshTokens = await Promise.all(refreshTokens.map((token) => chain(token, 2)));
    const text = await (await fetch(metricsUrl)).text();
    expect(metricValue(text, 'portcullis_cluster_workers')).toBe(2);
    expect(metricValue(text, 'portcullis_cluster_worker_restarts_total')).toBe(1);
  });

  it('drains every worker on SIGTERM and exits 0', async () => {
    const workerPids = records(server)
      .filter((r) => r.event === 'cluster.worker.listening')
      .map((r) => Number(r.workerPid));
    server.child.kill('SIGTERM');
    const { code, signal } = await server.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const stopped = records(server).filter((r) => r.event === 'server.stopped');
    expect(stopped.length).toBe(3); // two workers, then the primary
    for (const pid of workerPids) {
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
