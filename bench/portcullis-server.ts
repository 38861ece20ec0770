/**
 * Portcullis in a process of its own for the benchmark (started by server-process.ts, so its
 * CPU and memory can be measured apart): the real server as `startServer` runs it, with the
 * benchmark's clients, APIs and users stored the way the CLI and admin API store them.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/load-config.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import type { ResourceServerStore, Store } from '../src/storage/ports.ts';
import type { BenchApi, ServerReady, ServerSpec } from './bench-fixtures.ts';
import { serveParent } from './server-channel.ts';

let running: RunningServer | undefined;

function environment(spec: ServerSpec): Record<string, string> {
  const store = spec.store ?? { backend: 'memory' };
  return {
    // `test` mode: no https issuer or explicit secrets needed; config/test.json sets the memory
    // store and a free metrics port, which the variables below override where they differ.
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(spec.port),
    ISSUER: spec.issuer,
    LOG_LEVEL: spec.logLevel ?? 'silent',
    LOG_FORMAT: 'json',
    STORE: store.backend,
    ...(store.dataDir === undefined ? {} : { DATA_DIR: store.dataDir }),
    ...(store.mongoUri === undefined ? {} : { MONGODB_URI: store.mongoUri }),
    ...(store.mongoDb === undefined ? {} : { MONGODB_DB: store.mongoDb }),
  };
}

/** The resource-server registry (issue 5), when this build has one. */
function resourceServerStore(store: Store): ResourceServerStore | undefined {
  const candidate = (store as Partial<Store>).resourceServers;
  return candidate && typeof candidate.create === 'function' ? candidate : undefined;
}

async function registerApi(store: ResourceServerStore, api: BenchApi, now: number): Promise<void> {
  await store.create({
    // The shape resource-server-service.ts gives ids: 16 random bytes, base64url.
    id: randomBytes(16).toString('base64url'),
    identifier: api.identifier,
    name: api.name,
    scopes: api.scopes.map((name) => ({ name, description: name })),
    tokenFormat: api.tokenFormat,
    accessTokenTtlSeconds: api.accessTokenTtlSeconds,
    signingAlg: api.signingAlg,
    introspectionClientIds: api.introspectionClientIds,
    // No user consents to a client-credentials token: an admin grants the client the API's scopes.
    clientCredentialsGrants: api.clientCredentialsClientIds.map((clientId) => ({
      clientId,
      scopes: [...api.scopes],
    })),
    createdAt: now,
    updatedAt: now,
  });
}

async function start(spec: ServerSpec): Promise<ServerReady> {
  const loaded = loadConfig(environment(spec));
  if (!loaded.ok) throw new Error(`Portcullis configuration invalid: ${loaded.errors.join('; ')}`);
  const { config } = loaded;
  running = await startServer(config, createLogger({ level: config.log.level }));
  const { store, accounts } = running.services;
  const { fixtures } = spec;

  // Clients go through the store as the CLI stores them (client secrets encrypted at rest).
  for (const client of [fixtures.web, fixtures.service, fixtures.api]) {
    await store.oidc.upsert('Client', client.clientId, {
      ...client.metadata,
      ...client.portcullisMetadata,
    });
  }
  for (const user of fixtures.users) {
    await accounts.create({
      username: user.username,
      email: user.email,
      emailVerified: true,
      password: user.password,
      claims: { name: user.username },
    });
  }

  const unsupported: Record<string, string> = {};
  const registry = resourceServerStore(store);
  if (registry) {
    const now = Date.now();
    for (const api of Object.values(fixtures.apis)) await registerApi(registry, api, now);
  } else {
    const why = 'no resource-server registry in this build (issue 5)';
    Object.assign(unsupported, { 'cc-jwt-es256': why, 'cc-jwt-rs256': why, introspect: why });
  }
  return {
    url: running.url,
    unsupported,
    ttl: { ...config.ttl },
    algorithms: [...config.keys.algorithms],
  };
}

serveParent({
  start,
  async stop() {
    await running?.stop({ graceMs: 1000 });
  },
});
