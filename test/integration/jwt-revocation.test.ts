/**
 * RFC 7009 revocation of RFC 9068 JWT access tokens, which oidc-provider does not store: the
 * client that holds one revokes it at /token/revocation and introspection turns it inactive at
 * once; another client may not; everything else still goes to the provider.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  introspect,
  machineClient,
  registerApi,
  signInForApi,
  type Credentials,
  type RegisteredApi,
} from './resource-server-setup.ts';

let server: TestServer;
let jwtApi: RegisteredApi;
let opaqueApi: RegisteredApi;

beforeAll(async () => {
  server = await startTestServer();
  jwtApi = await registerApi(server, { format: 'jwt' });
  opaqueApi = await registerApi(server, { format: 'opaque' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

/** POST /token/revocation with HTTP Basic, as a client does; returns status and raw body. */
async function revoke(caller: Credentials, token: string) {
  const res = await fetch(`${server.issuer}/token/revocation`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(caller.clientId)}:${encodeURIComponent(caller.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

async function tokenFor(api: RegisteredApi) {
  const worker = await machineClient(server, api, ['orders:read']);
  const tokens = await oidc.clientCredentialsGrant(worker.rp, {
    resource: api.identifier,
    scope: 'orders:read',
  });
  return { worker, token: tokens.access_token };
}

async function active(api: RegisteredApi, token: string): Promise<unknown> {
  const res = await introspect(server, api.introspector, { token });
  expect(res.status).toBe(200);
  return res.body.active;
}

describe('revoking a JWT access token', () => {
  it('answers 200 with an empty body, and introspection says inactive from then on', async () => {
    const { worker, token } = await tokenFor(jwtApi);
    expect(token.split('.')).toHaveLength(3);
    expect(await active(jwtApi, token)).toBe(true);

    const res = await revoke(worker, token);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await introspect(server, jwtApi.introspector, { token })).toMatchObject({
      status: 200,
      body: { active: false },
    });
    // RFC 7009 §2.2: revoking it again is no error.
    expect((await revoke(worker, token)).status).toBe(200);
  });

  it("revokes a user's JWT access token without touching another token of the same grant", async () => {
    const { tokens, client, rp } = await signInForApi(server, jwtApi);
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', {
      resource: jwtApi.identifier,
    });
    expect(await active(jwtApi, tokens.access_token)).toBe(true);

    expect((await revoke(client, tokens.access_token)).status).toBe(200);
    expect(await active(jwtApi, tokens.access_token)).toBe(false);
    expect(await active(jwtApi, refreshed.access_token)).toBe(true);
  });

  it('refuses another client as the provider refuses it for an opaque token, and the token stays active', async () => {
    const { token } = await tokenFor(jwtApi);
    const { token: opaque } = await tokenFor(opaqueApi);
    const intruder = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });

    const forOpaque = await revoke(intruder, opaque);
    const forJwt = await revoke(intruder, token);
    expect(forOpaque.status).toBe(400);
    expect(forJwt).toEqual(forOpaque);
    expect(forJwt.body).toEqual({
      error: 'invalid_request',
      error_description: 'client is not authorized to revoke the presented token',
    });
    expect(await active(jwtApi, token)).toBe(true);
    expect(await active(opaqueApi, opaque)).toBe(true);
  });

  it("gives the provider's usual answer for a JWT-shaped string that is not one of our tokens", async () => {
    const { worker } = await tokenFor(jwtApi);
    const garbage = `${Buffer.from('{"alg":"ES256","typ":"at+jwt"}').toString('base64url')}.${Buffer.from('{"jti":"x"}').toString('base64url')}.c2ln`;
    const res = await revoke(worker, garbage);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('unsupported_token_type');
  });

  it('refuses a wrong client secret with 401 before looking at the token', async () => {
    const { worker, token } = await tokenFor(jwtApi);
    const res = await revoke({ clientId: worker.clientId, clientSecret: 'not-the-secret' }, token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(await active(jwtApi, token)).toBe(true);
  });
});

describe('revoking an opaque access token', () => {
  it('still goes to the provider: 200, then inactive', async () => {
    const { worker, token } = await tokenFor(opaqueApi);
    expect(token.split('.')).not.toHaveLength(3);
    expect(await active(opaqueApi, token)).toBe(true);
    const res = await revoke(worker, token);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await active(opaqueApi, token)).toBe(false);
  });
});
