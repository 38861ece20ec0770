import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { rotateSigningKeys } from '../../src/oidc/signing-keys.ts';
import { introspect, machineClient, registerApi } from './resource-server-setup.ts';

let server: TestServer;

beforeAll(async () => {
  // Long reload interval: the test drives the reloads itself.
  server = await startTestServer({ KEY_RELOAD_INTERVAL_SECONDS: '3600' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function jwksKids(): Promise<string[]> {
  const { keys } = (await (await fetch(`${server.issuer}/jwks`)).json()) as {
    keys: { kid: string }[];
  };
  return keys.map((k) => k.kid);
}

describe('signing key rotation without downtime', () => {
  it('publishes the new key before it signs, then signs with it while the old key stays published', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const before = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    const oldKid = decodeProtectedHeader(before.tokens.id_token ?? '').kid;

    // Step 1: a rotation whose new keys activate in the future are published but do not sign.
    const { store } = server.services;
    const now = Date.now();
    const pending = await rotateSigningKeys(
      store.keys,
      {
        algorithms: server.config.keys.algorithms,
        publishLeadSeconds: 600,
        maxTokenLifetimeSeconds: 3600,
      },
      now,
    );
    // Running servers re-read the key set every keys.reloadIntervalSeconds; the test does it now.
    const reloaded = await server.providers.refresh();
    expect(reloaded).toBe(true);
    const published = await jwksKids();
    for (const added of pending.added) expect(published).toContain(added.kid);
    expect(published).toContain(oldKid);
    const during = await signInAndRedeem(
      new TestBrowser(),
      await server.rp(client.clientId, client.clientSecret),
      user,
      client.redirectUri,
    );
    expect(decodeProtectedHeader(during.tokens.id_token ?? '').kid).toBe(oldKid);

    // Step 2: once the new keys' activation time has passed, they sign; the old one is still published.
    for (const retired of pending.retired)
      await store.keys.update(retired.kid, { retiredAt: now - 1, expiresAt: now + 3_600_000 });
    await activateNow(pending.added.map((a) => a.kid));
    expect(await server.providers.refresh()).toBe(true);
    const after = await signInAndRedeem(
      new TestBrowser(),
      await server.rp(client.clientId, client.clientSecret),
      user,
      client.redirectUri,
    );
    const newKid = decodeProtectedHeader(after.tokens.id_token ?? '').kid;
    expect(pending.added.map((a) => a.kid)).toContain(newKid);
    expect(await jwksKids()).toContain(oldKid);

    // An ID token signed before the rotation still verifies (openid-client checks it on refresh).
    const refreshed = await oidc.refreshTokenGrant(
      await server.rp(client.clientId, client.clientSecret),
      before.tokens.refresh_token ?? '',
    );
    expect(refreshed.claims()?.sub).toBe(user.id);
  });
});

/** Rewrites pending keys so they are active now (the clock moving past `activatesAt`). */
async function activateNow(kids: string[]): Promise<void> {
  const { store } = server.services;
  const keys = await store.keys.list();
  for (const key of keys.filter((k) => kids.includes(k.kid))) {
    await store.keys.remove(key.kid);
    await store.keys.add({ ...key, activatesAt: Date.now() - 1 });
  }
}

describe('JWT access tokens across a rotation', () => {
  it('keeps a token signed before the rotation verifiable and active until its key leaves the JWKS', async () => {
    const { store } = server.services;
    const api = await registerApi(server, { format: 'jwt' });
    const worker = await machineClient(server, api, ['orders:read']);
    const issue = async () =>
      (
        await oidc.clientCredentialsGrant(worker.rp, {
          resource: api.identifier,
          scope: 'orders:read',
        })
      ).access_token;
    const before = await issue();
    const oldKid = decodeProtectedHeader(before).kid;

    const now = Date.now();
    const rotation = await rotateSigningKeys(
      store.keys,
      {
        algorithms: server.config.keys.algorithms,
        publishLeadSeconds: 600,
        maxTokenLifetimeSeconds: 3600,
      },
      now,
    );
    for (const retired of rotation.retired)
      await store.keys.update(retired.kid, { retiredAt: now - 1, expiresAt: now + 3_600_000 });
    await activateNow(rotation.added.map((a) => a.kid));
    expect(await server.providers.refresh()).toBe(true);

    const after = await issue();
    const newKid = decodeProtectedHeader(after).kid;
    expect(rotation.added.map((a) => a.kid)).toContain(newKid);
    expect(newKid).not.toBe(oldKid);

    // Both verify against the JWKS as published now (the retired key stays until its tokens expire),
    // and both introspect as active.
    const keySet = createLocalJWKSet(
      (await (await fetch(`${server.issuer}/jwks`)).json()) as never,
    );
    for (const token of [before, after]) {
      await expect(
        jwtVerify(token, keySet, {
          issuer: server.issuer,
          audience: api.identifier,
          typ: 'at+jwt',
        }),
      ).resolves.toBeDefined();
      expect((await introspect(server, api.introspector, { token })).body.active).toBe(true);
    }

    // Once the old key is no longer published, nothing it signed verifies any more.
    for (const retired of rotation.retired)
      await store.keys.update(retired.kid, { retiredAt: now - 1, expiresAt: Date.now() - 1 });
    expect(await server.providers.refresh()).toBe(true);
    expect(await jwksKids()).not.toContain(oldKid);
    expect((await introspect(server, api.introspector, { token: before })).body).toEqual({
      active: false,
    });
    expect((await introspect(server, api.introspector, { token: after })).body.active).toBe(true);
  });
});
