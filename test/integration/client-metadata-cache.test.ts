/**
 * Client metadata read through the in-process client cache (src/oidc/cached-client-reads.ts):
 * the engine's client lookups on the token path come from memory after the first, and a change
 * made through the store (the admin API, the CLI and DCR all write there) is seen at once by the
 * process that made it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
const dataDir = tempDir();

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
  await server.services.invalidation.poll();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

async function sample(metric: string, labels: Record<string, string>): Promise<number> {
  const values = (await server.metrics?.registry.getSingleMetric(metric)?.get())?.values ?? [];
  const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return found?.value ?? 0;
}
const clientHits = () =>
  sample('portcullis_cache_lookups_total', { cache: 'clients', result: 'hit' });
const clientReads = () =>
  sample('portcullis_store_operation_duration_seconds_count', { operation: 'oidc.find' });

/** A client-credentials request as raw HTTP, to read a refusal as the client sees it. */
async function tokenRequest(clientId: string, clientSecret: string) {
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function serviceClient() {
  return server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  });
}

describe('the client cache', () => {
  it('answers the engine’s client lookups from memory after the first', async () => {
    const client = await serviceClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    await oidc.clientCredentialsGrant(rp);
    const [hits, reads] = [await clientHits(), await clientReads()];
    await oidc.clientCredentialsGrant(rp);
    await oidc.clientCredentialsGrant(rp);
    expect(await clientHits()).toBeGreaterThanOrEqual(hits + 2);
    // Client credentials tokens are written, never read back, so no lookup reached the store.
    expect(await clientReads()).toBe(reads);
  });

  it('a rotated secret is refused on the very next request, and the new one works', async () => {
    const client = await serviceClient();
    await oidc.clientCredentialsGrant(await server.rp(client.clientId, client.clientSecret));
    const stored = await server.services.store.oidc.find('Client', client.clientId);
    const rotated = randomBytes(32).toString('base64url');
    await server.services.store.oidc.upsert('Client', client.clientId, {
      ...stored,
      client_secret: rotated,
    });
    expect(await tokenRequest(client.clientId, client.clientSecret)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    expect(await tokenRequest(client.clientId, rotated)).toMatchObject({ status: 200 });
  });

  it('a deleted client is unknown on the very next request', async () => {
    const client = await serviceClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    await oidc.clientCredentialsGrant(rp);
    await server.services.store.oidc.destroy('Client', client.clientId);
    expect(await tokenRequest(client.clientId, client.clientSecret)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });

  it('hands out copies nobody can change: the cached metadata is frozen', async () => {
    const client = await serviceClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    await oidc.clientCredentialsGrant(rp);
    const cached = await server.services.store.oidc.find('Client', client.clientId);
    expect(Object.isFrozen(cached)).toBe(true);
    expect(() => {
      (cached as Record<string, unknown>).client_secret = 'changed';
    }).toThrow(TypeError);
  });
});
