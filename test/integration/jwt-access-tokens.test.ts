/**
 * RFC 9068 JWT access tokens for registered APIs (RFC 8707 resource indicators): their shape,
 * their audience and scopes, per-API settings, the refusals, and a cacheable JWKS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  apiService,
  machineClient,
  registerApi,
  signInForApi,
  type RegisteredApi,
} from './resource-server-setup.ts';

let server: TestServer;
let api: RegisteredApi;

beforeAll(async () => {
  // A publish lead of an hour, as in production, so the JWKS may be cached.
  server = await startTestServer({ KEY_PUBLISH_LEAD_SECONDS: '3600' });
  api = await registerApi(server, { format: 'jwt' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function jwks() {
  const res = await fetch(`${server.issuer}/jwks`);
  return { res, set: (await res.json()) as { keys: { kid: string; alg: string }[] } };
}

async function tokenFor(target: RegisteredApi, scopes: string[]) {
  const worker = await machineClient(server, target, scopes);
  const tokens = await oidc.clientCredentialsGrant(worker.rp, {
    resource: target.identifier,
    scope: scopes.join(' '),
  });
  return { worker, tokens };
}

describe('the token', () => {
  it('is an RFC 9068 at+jwt signed with ES256 by a key in the JWKS, for this API only, living 5 minutes', async () => {
    const { tokens, user, client } = await signInForApi(
      server,
      api,
      'openid profile offline_access orders:read',
    );
    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    const { set } = await jwks();
    const { payload } = await jwtVerify(tokens.access_token, createLocalJWKSet(set as never), {
      issuer: server.issuer,
      audience: api.identifier,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      sub: user.id,
      client_id: client.clientId,
      aud: api.identifier,
      scope: 'orders:read',
    });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(tokens.expires_in).toBe(300);
    expect(typeof payload.jti).toBe('string');
  });

  it('carries a grant reference that does not reveal the grant id, different in every token', async () => {
    const { tokens, rp } = await signInForApi(server, api);
    const { gid } = decodeJwt(tokens.access_token) as { gid?: string };
    expect(typeof gid).toBe('string');
    const grants = await server.services.store.oidc.list('Grant', { limit: 100 });
    expect(grants.items.length).toBeGreaterThan(0);
    for (const { id } of grants.items) {
      expect(gid).not.toContain(id);
      expect(Buffer.from(gid ?? '', 'base64url').toString('latin1')).not.toContain(id);
    }
    // Another token of the same grant carries another value (random IVs): nothing to correlate.
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', {
      resource: api.identifier,
    });
    expect((decodeJwt(refreshed.access_token) as { gid?: string }).gid).not.toBe(gid);
  });

  it("honours the API's own lifetime and signing algorithm", async () => {
    const custom = await registerApi(server, { format: 'jwt', ttl: 120, alg: 'EdDSA' });
    const { tokens } = await tokenFor(custom, ['orders:read']);
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('EdDSA');
    const claims = decodeJwt(tokens.access_token);
    expect(claims.exp! - claims.iat!).toBe(120);
    const { set } = await jwks();
    await jwtVerify(tokens.access_token, createLocalJWKSet(set as never), {
      issuer: server.issuer,
      audience: custom.identifier,
    });
  });

  it('grants only the scopes the API defines, and to a machine client only the scopes it was granted', async () => {
    const { tokens } = await tokenFor(api, ['orders:read']);
    expect(decodeJwt(tokens.access_token).scope).toBe('orders:read');
    // Asking for more than the grant gives no more.
    const worker = await machineClient(server, api, ['orders:read']);
    const more = await oidc.clientCredentialsGrant(worker.rp, {
      resource: api.identifier,
      scope: 'orders:read orders:write openid',
    });
    expect(decodeJwt(more.access_token).scope).toBe('orders:read');
  });

  it('follows a change of the API at once: a token format switched to opaque', async () => {
    const target = await registerApi(server, { format: 'jwt' });
    const worker = await machineClient(server, target, ['orders:read']);
    const first = await oidc.clientCredentialsGrant(worker.rp, {
      resource: target.identifier,
      scope: 'orders:read',
    });
    expect(first.access_token.split('.')).toHaveLength(3);
    await apiService(server).update(target.api.id, { token_format: 'opaque' });
    const second = await oidc.clientCredentialsGrant(worker.rp, {
      resource: target.identifier,
      scope: 'orders:read',
    });
    expect(second.access_token.split('.')).toHaveLength(1);
  });
});

describe('refusals', () => {
  it('refuses a resource that is not a registered API, or carries a fragment, with invalid_target', async () => {
    const { rp } = await machineClient(server, api, ['orders:read']);
    for (const resource of ['https://unknown.example.com/api', `${api.identifier}#frag`]) {
      await expect(oidc.clientCredentialsGrant(rp, { resource })).rejects.toMatchObject({
        error: 'invalid_target',
      });
    }
  });

  it('refuses client credentials for an API to a client it was not granted to', async () => {
    const worker = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const rp = await server.rp(worker.clientId, worker.clientSecret);
    await expect(
      oidc.clientCredentialsGrant(rp, { resource: api.identifier, scope: 'orders:read' }),
    ).rejects.toMatchObject({
      error: 'invalid_target',
    });
  });

  it('stops issuing to a client whose grant was revoked, at once', async () => {
    const { worker } = await tokenFor(api, ['orders:read']);
    await apiService(server).revokeClientCredentials(api.api.id, worker.clientId);
    await expect(
      oidc.clientCredentialsGrant(worker.rp, { resource: api.identifier }),
    ).rejects.toMatchObject({ error: 'invalid_target' });
  });
});

describe('the JWKS', () => {
  it('is cacheable for 5 minutes, shorter than the publish lead of a rotation, and its kids are unique', async () => {
    const { res, set } = await jwks();
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const kids = set.keys.map((k) => k.kid);
    expect(new Set(kids).size).toBe(kids.length);
    expect(set.keys.map((k) => k.alg)).toEqual(expect.arrayContaining(['ES256', 'RS256', 'EdDSA']));
  });
});
