/**
 * Two workers (`WORKERS=2`) on one SQLite file, as an operator runs them, for the cache suites
 * (issue 18): a client-credentials client, a resource server that introspects its tokens, and
 * this test process's own services on the same file (a third process, like the CLI).
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { openServices, type Services } from '../../src/open-services.ts';
import { spawnServer, waitFor, type Spawned } from './spawn-server.ts';
import { freePort, tempDir, unique } from './test-server.ts';
import { fresh, records, type Answer } from './worker-requests.ts';

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export const basic = (c: Credentials): string =>
  `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

export interface CacheCluster {
  issuer: string;
  server: Spawned;
  services: Services;
  /** A client-credentials client whose tokens the tests introspect. */
  worker: Credentials;
  /** A resource server linked to no API: it may introspect tokens issued for no API. */
  api: Credentials;
  storeClient(metadata: Record<string, unknown>): Promise<Credentials>;
  issue(): Promise<Answer>;
  introspect(token: string, caller?: Credentials): Promise<Answer>;
  revoke(token: string): Promise<Answer>;
  readyz(): Promise<Answer>;
  /** A sample of the metrics port, summed over the workers by the primary. */
  metric(name: string, labels?: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `extraEnv` may set `WORKERS` (default 2; 1 is a single process, for the throughput check).
 * `storeEnv` names the shared store (default: a fresh SQLite file); e.g. `STORE=mongodb` with
 * `MONGODB_URI` and `MONGODB_DB` for FerretDB or a real mongod.
 */
export async function startCacheCluster(
  extraEnv: Record<string, string>,
  storeEnv?: Record<string, string>,
): Promise<CacheCluster> {
  const data = tempDir('portcullis-cache-cluster-');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${port}`;
  const env = { NODE_ENV: 'test', ...(storeEnv ?? { STORE: 'sqlite', DATA_DIR: data.path }) };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const services = await openServices(loaded.config, createLogger({ level: 'silent' }));

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
  const worker = await storeClient({});
  const api = await storeClient({ resource_server: true });

  const workers = Number(extraEnv.WORKERS ?? '2');
  const server = spawnServer({
    ...env,
    WORKERS: '2',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: issuer,
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
    ...extraEnv,
  });
  // A quiet server (LOG_LEVEL above info, for the throughput check) does not say it started.
  const quiet = extraEnv.LOG_LEVEL !== undefined && extraEnv.LOG_LEVEL !== 'info';
  await waitFor(
    async () =>
      quiet
        ? (await fetch(`${issuer}/readyz`).catch(() => undefined))?.status === 200
        : records(server).some(
            (r) => r.event === 'server.started' && (workers === 1 || r.workers === workers),
          ),
    'every worker to listen',
  ).catch((error: unknown) => {
    server.child.kill('SIGKILL');
    throw new Error(`${String(error)}; the server said: ${server.lines.slice(-5).join(' | ')}`);
  });

  const post = (path: string, caller: Credentials, body: string) =>
    fresh(`${issuer}${path}`, {
      method: 'POST',
      headers: { ...form, authorization: basic(caller) },
      body,
    });
  return {
    issuer,
    server,
    services,
    worker,
    api,
    storeClient,
    issue: () => post('/token', worker, 'grant_type=client_credentials'),
    introspect: (token, caller = api) =>
      post('/token/introspection', caller, new URLSearchParams({ token }).toString()),
    revoke: (token) => post('/token/revocation', worker, new URLSearchParams({ token }).toString()),
    readyz: () => fresh(`${issuer}/readyz`),
    async metric(name, labels = '') {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}${labels ? '{' : ' '}`) && l.includes(labels));
      return Number(line?.split(' ').pop() ?? 0);
    },
    async stop() {
      if (server.child.exitCode === null) {
        server.child.kill('SIGTERM');
        await Promise.race([server.exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (server.child.exitCode === null) server.child.kill('SIGKILL');
      }
      await services.close();
      data.remove();
    },
  };
}
