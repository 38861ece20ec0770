/**
 * The introspection answer cache (issue 18 item 1) seen from an API: a repeated call is answered
 * from memory with the engine's own answer, byte for byte and header for header, and every way the
 * answer can change reaches it at once in the same process.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import {
  apiService,
  machineClient,
  registerApi,
  signInForApi,
  type Credentials,
  type RegisteredApi,
} from './resource-server-setup.ts';

let server: TestServer;
let api: RegisteredApi;
const dataDir = tempDir();

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
  api = await registerApi(server, { format: 'opaque' });
  // The first poll of the feed makes the process fresh: before it, nothing is cached.
  await server.services.invalidation.poll();
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

async function lookups(result: 'hit' | 'miss'): Promise<number> {
  const metric = await server.metrics?.registry
    .getSingleMetric('portcullis_cache_lookups_total')
    ?.get();
  const value = metric?.values.find(
    (v) => v.labels.cache === 'introspection' && v.labels.result === result,
  );
  return value?.value ?? 0;
}

function basic(caller: Credentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(caller.clientId)}:${encodeURIComponent(caller.clientSecret)}`).toString('base64')}`;
}

/** One introspection call, with the whole answer as an API sees it. */
async function call(caller: Credentials, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.issuer}/token/introspection`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(caller),
      ...headers,
    },
    body: new URLSearchParams({ token }),
  });
  const text = await res.text();
  const answerHeaders = Object.fromEntries(
    [...res.headers].filter(([name]) => !['date', 'x-request-id'].includes(name)),
  );
  return { status: res.status, text, headers: answerHeaders };
}

async function serviceToken(): Promise<string> {
  const worker = await machineClient(server, api, ['orders:read']);
  const tokens = await oidc.clientCredentialsGrant(worker.rp, {
    resource: api.identifier,
    scope: 'orders:read',
  });
  return tokens.access_token;
}

describe('a repeated introspection call', () => {
  it("is answered from memory with the engine's answer, headers and body unchanged", async () => {
    const token = await serviceToken();
    const misses = await lookups('miss');
    const first = await call(api.introspector, token);
    const hits = await lookups('hit');
    const second = await call(api.introspector, token);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ active: true, aud: api.identifier });
    expect(second).toEqual(first);
    expect(await lookups('miss')).toBe(misses + 1);
    expect(await lookups('hit')).toBe(hits + 1);
  });

  it('is never answered from memory for another credential, even a wrong one', async () => {
    const token = await serviceToken();
    await call(api.introspector, token);
    const hits = await lookups('hit');
    const wrong = await call({ ...api.introspector, clientSecret: 'not-the-secret' }, token);
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.text)).toMatchObject({ error: 'invalid_client' });
    expect(await lookups('hit')).toBe(hits);
  });

  it('keys on what the caller accepts, so a JWT-secured answer is never replayed as JSON', async () => {
    const token = await serviceToken();
    const json = await call(api.introspector, token);
    const hits = await lookups('hit');
    const other = await call(api.introspector, token, { accept: 'text/html' });
    expect(other.status).toBe(200);
    expect(JSON.parse(other.text)).toMatchObject({ active: true });
    expect(JSON.parse(json.text)).toMatchObject({ active: true });
    expect(await lookups('hit')).toBe(hits);
  });
});

describe('every change that ends a token reaches the cached answer at once', () => {
  it('revoking the token (RFC 7009)', async () => {
    const token = await serviceToken();
    const worker = await machineClient(server, api, ['orders:read']);
    const own = await oidc.clientCredentialsGrant(worker.rp, {
      resource: api.identifier,
      scope: 'orders:read',
    });
    expect(JSON.parse((await call(api.introspector, own.access_token)).text).active).toBe(true);
    await oidc.tokenRevocation(worker.rp, own.access_token);
    expect(JSON.parse((await call(api.introspector, own.access_token)).text)).toEqual({
      active: false,
    });
    // Another token, cached too, is untouched by that revocation.
    expect(JSON.parse((await call(api.introspector, token)).text).active).toBe(true);
    expect(JSON.parse((await call(api.introspector, token)).text).active).toBe(true);
  });

  it("deleting the token's client", async () => {
    const worker = await machineClient(server, api, ['orders:read']);
    const { access_token: token } = await oidc.clientCredentialsGrant(worker.rp, {
      resource: api.identifier,
      scope: 'orders:read',
    });
    expect(JSON.parse((await call(api.introspector, token)).text).active).toBe(true);
    await server.services.store.oidc.destroy('Client', worker.clientId);
    await server.services.store.oidc.revokeByClientId('ClientCredentials', worker.clientId);
    expect(JSON.parse((await call(api.introspector, token)).text)).toEqual({ active: false });
  });

  it('unlinking the introspecting client from the API', async () => {
    const token = await serviceToken();
    expect(JSON.parse((await call(api.introspector, token)).text).active).toBe(true);
    const other = await registerApi(server, { format: 'opaque' });
    await apiService(server).update(api.api.id, {
      introspection_client_ids: [other.introspector.clientId],
    });
    try {
      expect(JSON.parse((await call(api.introspector, token)).text)).toEqual({ active: false });
    } finally {
      await apiService(server).update(api.api.id, {
        introspection_client_ids: [api.introspector.clientId],
      });
    }
  });

  it("revoking a user's grant ends the user's cached token", async () => {
    const signedIn = await signInForApi(server, api);
    const token = signedIn.tokens.access_token;
    expect(JSON.parse((await call(api.introspector, token)).text)).toMatchObject({
      active: true,
      sub: expect.any(String),
    });
    const refresh = signedIn.tokens.refresh_token;
    if (refresh === undefined) throw new Error('the sign-in returned no refresh token');
    // RFC 7009 §2.1: revoking a refresh token revokes its grant, and with it the access token.
    await oidc.tokenRevocation(signedIn.rp, refresh);
    expect(JSON.parse((await call(api.introspector, token)).text)).toEqual({ active: false });
  });
});
