/**
 * The introspection answer cache across processes (issue 18 item 2): two workers on one SQLite
 * file each remember answers, and a revocation or a client change made through one process (a
 * worker, or the CLI's services in this test process) reaches the other's cache within
 * `cache.invalidationBoundMs`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { openServices, type Services } from '../../src/open-services.ts';
import { freePort, tempDir, unique } from '../helpers/test-server.ts';
import { spawnServer, waitFor, type Spawned } from '../helpers/spawn-server.ts';

const BOUND_MS = 1_000;

/** One request on a new TCP connection (`agent: false`), so the cluster hands it to the next worker. */
function fresh(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          json: JSON.parse(text || '{}') as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function records(spawned: Spawned): Record<string, unknown>[] {
  return spawned.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

interface Credentials {
  clientId: string;
  clientSecret: string;
}

const data = tempDir('portcullis-cache-workers-');
let issuer: string;
let metricsUrl: string;
let services: Services;
let worker: Credentials;
let api: Credentials;
let server: Spawned;

const basic = (c: Credentials) =>
  `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function storeClient(metadata: Record<string, unknown>): Promise<Credentials> {
  const client = {
    clientId: unique('client'),
    clientSecret: randomBytes(32).toString('base64url'),
  };
  await services.store.oidc.upsert('Client', client.clientId, {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    redirect_uris: [],
    response_types: [],
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...metadata,
  });
  return client;
}

async function issue(): Promise<string> {
  const res = await fresh(
    `${issuer}/token`,
    { ...form, authorization: basic(worker) },
    'grant_type=client_credentials',
  );
  expect(res.status).toBe(200);
  return String(res.json.access_token);
}

const introspect = (token: string, caller: Credentials = api) =>
  fresh(
    `${issuer}/token/introspection`,
    { ...form, authorization: basic(caller) },
    new URLSearchParams({ token }).toString(),
  );

async function hits(): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('portcullis_cache_lookups_total{') && l.includes('result="hit"'));
  return Number(line?.split(' ').pop() ?? 0);
}

/**
 * Asks until `done` holds for `settle` answers in a row (so both workers answered so), and
 * returns how long after `since` the last answer that did not hold came.
 */
async function lastOtherwise(
  ask: () => Promise<{ status: number; json: Record<string, unknown> }>,
  done: (answer: { status: number; json: Record<string, unknown> }) => boolean,
  since: number,
  settle = 6,
): Promise<number> {
  let last = since;
  let inARow = 0;
  const until = since + 10 * BOUND_MS;
  while (inARow < settle) {
    if (Date.now() > until) throw new Error('the change never reached every worker');
    const answer = await ask();
    if (done(answer)) inARow += 1;
    else {
      inARow = 0;
      last = Date.now();
    }
  }
  return last - since;
}

beforeAll(async () => {
  const [port, metricsPort] = [await freePort(), await freePort()];
  issuer = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const env = { NODE_ENV: 'test', STORE: 'sqlite', DATA_DIR: data.path };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  // This process opens the same file the workers will, as the CLI does: its changes are a third
  // process's.
  services = await openServices(loaded.config, createLogger({ level: 'silent' }));
  worker = await storeClient({});
  // A resource server linked to no API may introspect tokens issued for no API (introspection-policy.ts).
  api = await storeClient({ resource_server: true });

  server = spawnServer({
    ...env,
    WORKERS: '2',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    METRICS_PORT: String(metricsPort),
    CACHE_INVALIDATION_BOUND_MS: String(BOUND_MS),
    LOG_LEVEL: 'info',
  });
  await waitFor(
    () => records(server).some((r) => r.event === 'server.started' && r.workers === 2),
    'both workers to listen',
  );
});
afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await services?.close();
  data.remove();
});

describe('WORKERS=2 with the introspection cache', () => {
  it('answers repeated calls from each worker’s memory', async () => {
    const token = await issue();
    const before = await hits();
    for (let i = 0; i < 6; i += 1) expect((await introspect(token)).json.active).toBe(true);
    // The first call on each worker is the engine's; the others are hits.
    expect(await hits()).toBeGreaterThanOrEqual(before + 4);
  });

  it('a revocation made on one worker reaches the other within the bound', async () => {
    const token = await issue();
    for (let i = 0; i < 4; i += 1) expect((await introspect(token)).json.active).toBe(true);
    const revoked = await fresh(
      `${issuer}/token/revocation`,
      { ...form, authorization: basic(worker) },
      new URLSearchParams({ token }).toString(),
    );
    expect(revoked.status).toBe(200);
    const delay = await lastOtherwise(
      () => introspect(token),
      (answer) => answer.json.active === false,
      Date.now(),
    );
    expect(delay).toBeLessThanOrEqual(BOUND_MS);
  });

  it("a secret rotated by another process (the CLI's services) is refused by every worker within the bound", async () => {
    const caller = await storeClient({ resource_server: true });
    const token = await issue();
    for (let i = 0; i < 4; i += 1) expect((await introspect(token, caller)).json.active).toBe(true);
    const rotated = randomBytes(32).toString('base64url');
    const stored = await services.store.oidc.find('Client', caller.clientId);
    await services.store.oidc.upsert('Client', caller.clientId, {
      ...stored,
      client_secret: rotated,
    });
    const delay = await lastOtherwise(
      () => introspect(token, caller),
      (answer) => answer.status === 401,
      Date.now(),
    );
    expect(delay).toBeLessThanOrEqual(BOUND_MS);
    expect((await introspect(token, { ...caller, clientSecret: rotated })).json.active).toBe(true);
  });
});
