/**
 * DPoP (RFC 9449) end to end with openid-client's DPoP support: tokens bound to the client's key
 * at the token endpoint, refused when replayed as plain Bearer tokens, and reported bound
 * (`cnf.jkt`, `token_type: DPoP`) by introspection.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { completeSignIn, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  introspect,
  machineClient,
  registerApi,
  resourceServerClient,
  type RegisteredApi,
} from './resource-server-setup.ts';

let server: TestServer;
let api: RegisteredApi;

beforeAll(async () => {
  server = await startTestServer();
  api = await registerApi(server, { format: 'jwt' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

async function thumbprint(key: oidc.CryptoKeyPair): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256');
}

/** A sign-in whose code is redeemed with a DPoP proof (RFC 9449 §5), optionally for the API. */
async function signInWithDpop(resource?: string) {
  const user = await server.createUser();
  const client = await server.createClient();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const key = await oidc.randomDPoPKeyPair();
  const DPoP = oidc.getDPoPHandle(rp, key);
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, rp, client.redirectUri, {
    scope: 'openid offline_access orders:read',
    ...(resource ? { resource } : {}),
  });
  const callback = await completeSignIn(browser, auth, user, client.redirectUri);
  const tokens = await oidc.authorizationCodeGrant(
    rp,
    new URL(callback),
    { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce },
    resource ? { resource } : undefined,
    { DPoP },
  );
  return { user, rp, key, DPoP, tokens };
}

describe('a DPoP-bound access token', () => {
  it('is issued as token_type DPoP and works at userinfo with its proof', async () => {
    const { tokens, rp, DPoP, user } = await signInWithDpop();
    expect(tokens.token_type).toBe('dpop');
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, user.id, { DPoP });
    expect(info.sub).toBe(user.id);
  });

  it('is refused at userinfo when replayed as a plain Bearer token (401)', async () => {
    const { tokens } = await signInWithDpop();
    const res = await fetch(`${server.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate') ?? '').toMatch(/invalid_token/);
  });

  it('is refused at userinfo with a proof made by another key (401)', async () => {
    const { tokens, rp } = await signInWithDpop();
    const otherKey = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair());
    await expect(
      oidc.fetchUserInfo(rp, tokens.access_token, oidc.skipSubjectCheck, { DPoP: otherKey }),
    ).rejects.toMatchObject({ status: 401 });
  });

  it("is reported bound by introspection: cnf.jkt is the key's thumbprint, token_type DPoP (opaque token)", async () => {
    const { tokens, key } = await signInWithDpop();
    // A sign-in's userinfo token is for no API: a resource server linked to none may see it.
    const generic = await resourceServerClient(server);
    const { body } = await introspect(server, generic, { token: tokens.access_token });
    expect(body).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await thumbprint(key) },
    });
  });

  it('is bound in the JWT itself and reported bound by introspection (JWT for an API)', async () => {
    const { tokens, key } = await signInWithDpop(api.identifier);
    const jkt = await thumbprint(key);
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt });
    const { body } = await introspect(server, api.introspector, { token: tokens.access_token });
    expect(body).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt },
      aud: api.identifier,
    });
  });

  it('binds client-credentials tokens too', async () => {
    const worker = await machineClient(server, api, ['orders:read']);
    const key = await oidc.randomDPoPKeyPair();
    const tokens = await oidc.clientCredentialsGrant(
      worker.rp,
      { resource: api.identifier, scope: 'orders:read' },
      { DPoP: oidc.getDPoPHandle(worker.rp, key) },
    );
    const { body } = await introspect(server, api.introspector, { token: tokens.access_token });
    expect(body).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await thumbprint(key) },
    });
  });
});

describe('a token without DPoP', () => {
  it('is a Bearer token with no cnf at introspection', async () => {
    const worker = await machineClient(server, api, ['orders:read']);
    const tokens = await oidc.clientCredentialsGrant(worker.rp, {
      resource: api.identifier,
      scope: 'orders:read',
    });
    expect(tokens.token_type).toBe('bearer');
    const { body } = await introspect(server, api.introspector, { token: tokens.access_token });
    expect(body.token_type).toBe('Bearer');
    expect(body.cnf).toBeUndefined();
  });
});
