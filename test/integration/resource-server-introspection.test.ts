/**
 * The introspection endpoint (RFC 7662) for APIs: who may ask, what each API may see, what the
 * answer holds for opaque and JWT access tokens, and that every way a grant ends reaches it at once.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  exportJWK,
  generateKeyPair,
  createLocalJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  SignJWT,
} from 'jose';
import * as oidc from 'openid-client';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import {
  apiService,
  introspect,
  machineClient,
  registerApi,
  resourceServerClient,
  signInForApi,
  type RegisteredApi,
} from './resource-server-setup.ts';

let server: TestServer;
let jwtApi: RegisteredApi;
let opaqueApi: RegisteredApi;
// The sqlite store, as in production (the memory store's structured clones of a client's `jwks`
// come from another realm under jest's VM modules, which oidc-provider's plain-object check refuses).
const dataDir = tempDir();

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
  jwtApi = await registerApi(server, { format: 'jwt' });
  opaqueApi = await registerApi(server, { format: 'opaque' });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

async function serviceToken(api: RegisteredApi, scopes = ['orders:read']) {
  const worker = await machineClient(server, api, scopes);
  const tokens = await oidc.clientCredentialsGrant(worker.rp, {
    resource: api.identifier,
    scope: scopes.join(' '),
  });
  return { worker, token: tokens.access_token };
}

const now = () => Math.floor(Date.now() / 1000);

describe("the answer for the API's own tokens", () => {
  it.each([
    ['opaque', () => opaqueApi],
    ['JWT', () => jwtApi],
  ])(
    "holds active, scope, client_id, sub, aud, exp, iat and token_type for a user's %s token",
    async (_format, apiOf) => {
      const api = apiOf();
      const { tokens, user, client } = await signInForApi(
        server,
        api,
        'openid offline_access orders:read orders:write',
      );
      const { status, body, headers } = await introspect(server, api.introspector, {
        token: tokens.access_token,
      });
      expect(status).toBe(200);
      expect(headers.get('cache-control')).toBe('no-store');
      expect(body).toMatchObject({
        active: true,
        client_id: client.clientId,
        sub: user.id,
        aud: api.identifier,
        iss: server.issuer,
        token_type: 'Bearer',
      });
      // Only the API's own scopes, never the sign-in's OIDC scopes (RFC 8707 §2).
      expect(String(body.scope).split(' ').sort()).toEqual(['orders:read', 'orders:write']);
      expect(body.exp).toEqual(expect.any(Number));
      expect(body.iat).toEqual(expect.any(Number));
      expect((body.exp as number) - (body.iat as number)).toBe(
        api.api.token_format === 'jwt' ? 300 : server.config.ttl.accessToken,
      );
      expect(body.cnf).toBeUndefined();
    },
  );

  it('answers for a client-credentials JWT with the client as subject', async () => {
    const { worker, token } = await serviceToken(jwtApi);
    const { body } = await introspect(server, jwtApi.introspector, { token });
    expect(body).toMatchObject({
      active: true,
      client_id: worker.clientId,
      sub: worker.clientId,
      scope: 'orders:read',
      aud: jwtApi.identifier,
    });
    expect(body.gid).toBeUndefined();
  });

  it('answers the same to client_secret_post as to HTTP Basic', async () => {
    const { token } = await serviceToken(jwtApi);
    const res = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token,
        client_id: jwtApi.introspector.clientId,
        client_secret: jwtApi.introspector.clientSecret,
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { active?: boolean }).active).toBe(true);
  });

  it('answers an API that authenticates with private_key_jwt, for opaque and JWT tokens alike', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'k1' };
    const api = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resource_server: true,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    for (const target of [jwtApi, opaqueApi]) {
      await apiService(server).addIntrospectionClient(target.api.id, api.clientId);
      const { token } = await serviceToken(target);
      const rp = await oidc.discovery(
        new URL(server.issuer),
        api.clientId,
        undefined,
        oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }),
        {
          execute: [oidc.allowInsecureRequests],
        },
      );
      expect(await oidc.tokenIntrospection(rp, token)).toMatchObject({
        active: true,
        aud: target.identifier,
      });
    }
  });

  it('signs the answer when asked with Accept: application/token-introspection+jwt (RFC 9701)', async () => {
    const { token } = await serviceToken(jwtApi);
    const { status, headers, text } = await introspect(
      server,
      jwtApi.introspector,
      { token },
      { accept: 'application/token-introspection+jwt' },
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/);
    expect(decodeProtectedHeader(text).typ).toBe('token-introspection+jwt');
    const jwks = createLocalJWKSet((await (await fetch(`${server.issuer}/jwks`)).json()) as never);
    const { payload } = await jwtVerify(text, jwks, {
      issuer: server.issuer,
      audience: jwtApi.introspector.clientId,
    });
    expect(payload.token_introspection).toMatchObject({
      active: true,
      aud: jwtApi.identifier,
      scope: 'orders:read',
    });
  });
});

describe('who sees what', () => {
  it.each([
    ['opaque', () => opaqueApi],
    ['JWT', () => jwtApi],
  ])("shows an API none of another API's %s tokens", async (_format, apiOf) => {
    const { token } = await serviceToken(apiOf());
    const other = await registerApi(server);
    expect((await introspect(server, other.introspector, { token })).body).toEqual({
      active: false,
    });
  });

  it('shows a client that is not a resource server nothing', async () => {
    const { token } = await serviceToken(jwtApi);
    const rp = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    expect((await introspect(server, rp, { token })).body).toEqual({ active: false });
  });

  it("shows a resource-server client linked to no API the tokens issued for no API, and no API's tokens", async () => {
    const unlinked = await resourceServerClient(server);
    const { tokens } = await signInAndRedeem(new TestBrowser(), ...(await plainSignIn()));
    expect((await introspect(server, unlinked, { token: tokens.access_token })).body).toMatchObject(
      { active: true },
    );
    expect(
      (await introspect(server, jwtApi.introspector, { token: tokens.access_token })).body,
    ).toEqual({ active: false });
    const { token } = await serviceToken(jwtApi);
    expect((await introspect(server, unlinked, { token })).body).toEqual({ active: false });
  });

  it('never shows refresh tokens to an API', async () => {
    const { tokens } = await signInForApi(server, opaqueApi);
    const res = await introspect(server, opaqueApi.introspector, {
      token: tokens.refresh_token ?? '',
      token_type_hint: 'refresh_token',
    });
    expect(res.body).toEqual({ active: false });
  });

  it('answers inactive for unknown, tampered, foreign-signed and ID tokens', async () => {
    const { tokens } = await signInForApi(server, jwtApi);
    const { privateKey } = await generateKeyPair('ES256');
    const claims = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    const foreign = await new SignJWT(claims)
      .setProtectedHeader({
        alg: 'ES256',
        typ: 'at+jwt',
        kid: decodeProtectedHeader(tokens.access_token).kid ?? '',
      })
      .sign(privateKey);
    const [h, , s] = tokens.access_token.split('.');
    const tampered = [
      h,
      Buffer.from(JSON.stringify({ ...claims, scope: 'orders:write' })).toString('base64url'),
      s,
    ].join('.');
    for (const token of ['no-such-token', tampered, foreign, tokens.id_token ?? '']) {
      expect((await introspect(server, jwtApi.introspector, { token })).body).toEqual({
        active: false,
      });
    }
  });
});

describe('refusals', () => {
  it('refuses a request without client authentication with 401 invalid_client and a Basic challenge', async () => {
    const { token } = await serviceToken(jwtApi);
    const res = await introspect(server, undefined, { token });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('refuses a wrong secret and an unknown client with 401 invalid_client', async () => {
    for (const caller of [
      { clientId: jwtApi.introspector.clientId, clientSecret: 'not-the-secret' },
      { clientId: 'no-such-client', clientSecret: 'whatever' },
    ]) {
      const res = await introspect(server, caller, { token: 'x' });
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_client"');
    }
  });

  it('refuses a missing or repeated token parameter with 400 invalid_request', async () => {
    expect((await introspect(server, jwtApi.introspector, {})).body.error).toBe('invalid_request');
    const res = await fetch(`${server.issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${jwtApi.introspector.clientId}:${jwtApi.introspector.clientSecret}`).toString('base64')}`,
      },
      body: 'token=a&token=b',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error?: string }).error).toBe('invalid_request');
  });

  it('refuses two authentication methods at once', async () => {
    const res = await introspect(server, jwtApi.introspector, {
      token: 'x',
      client_id: jwtApi.introspector.clientId,
      client_secret: 'y',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});

describe('revocation reaches the API at once', () => {
  it.each([
    ['opaque', () => opaqueApi],
    ['JWT', () => jwtApi],
  ])(
    'turns every %s access token of a grant inactive when its refresh token is revoked',
    async (_format, apiOf) => {
      const api = apiOf();
      const { tokens, rp } = await signInForApi(server, api);
      const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', {
        resource: api.identifier,
      });
      for (const token of [tokens.access_token, refreshed.access_token]) {
        expect((await introspect(server, api.introspector, { token })).body.active).toBe(true);
      }
      await oidc.tokenRevocation(rp, refreshed.refresh_token ?? '');
      for (const token of [tokens.access_token, refreshed.access_token]) {
        expect((await introspect(server, api.introspector, { token })).body).toEqual({
          active: false,
        });
      }
    },
  );

  it.each([
    ['opaque', () => opaqueApi],
    ['JWT', () => jwtApi],
  ])(
    'turns a %s token inactive when reuse of a rotated refresh token revokes the grant',
    async (_format, apiOf) => {
      const api = apiOf();
      const { tokens, rp } = await signInForApi(server, api);
      const rotated = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', {
        resource: api.identifier,
      });
      // The client has moved on to the new token, so the reuse grace window (docs/security.md) does
      // not answer the old one: a reuse.
      await oidc.refreshTokenGrant(rp, rotated.refresh_token ?? '', { resource: api.identifier });
      await expect(
        oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', { resource: api.identifier }),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      expect(
        (await introspect(server, api.introspector, { token: tokens.access_token })).body,
      ).toEqual({ active: false });
    },
  );

  it("turns a user's JWT inactive when they sign out (RP-initiated logout revokes the grant)", async () => {
    // Without offline_access: an offline grant outlives logout by design (oidc-provider's persistsLogout).
    const { tokens, rp, browser } = await signInForApi(server, jwtApi, 'openid orders:read');
    expect(
      (await introspect(server, jwtApi.introspector, { token: tokens.access_token })).body.active,
    ).toBe(true);
    const endSession = oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token ?? '' });
    const confirm = await browser.get(endSession.href);
    expect((await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' })).status).toBe(
      303,
    );
    expect(
      (await introspect(server, jwtApi.introspector, { token: tokens.access_token })).body,
    ).toEqual({ active: false });
  });

  it("turns a user's JWT inactive when an admin disables the user (sessions and grants revoked)", async () => {
    const { tokens, user } = await signInForApi(server, jwtApi);
    await server.services.accounts.setDisabled(user.id, true);
    expect(
      (await introspect(server, jwtApi.introspector, { token: tokens.access_token })).body,
    ).toEqual({ active: false });
  });

  it('turns JWTs inactive when their client is deleted', async () => {
    const { worker, token } = await serviceToken(jwtApi);
    const user = await signInForApi(server, jwtApi);
    const { store } = server.services;
    for (const clientId of [worker.clientId, user.client.clientId]) {
      await store.oidc.destroy('Client', clientId);
    }
    for (const t of [token, user.tokens.access_token]) {
      expect((await introspect(server, jwtApi.introspector, { token: t })).body).toEqual({
        active: false,
      });
    }
  });

  it("stops an unlinked client at once, and inactivates an API's tokens when the API is removed", async () => {
    const api = await registerApi(server);
    const { token } = await serviceToken(api);
    const service = apiService(server); // like the CLI: another process, seen through the store only
    expect((await introspect(server, api.introspector, { token })).body.active).toBe(true);

    await service.removeIntrospectionClient(api.api.id, api.introspector.clientId);
    expect((await introspect(server, api.introspector, { token })).body).toEqual({ active: false });

    await service.addIntrospectionClient(api.api.id, api.introspector.clientId);
    expect((await introspect(server, api.introspector, { token })).body.active).toBe(true);

    await service.remove(api.api.id);
    expect((await introspect(server, api.introspector, { token })).body).toEqual({ active: false });
    const worker = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    await expect(
      oidc.clientCredentialsGrant(await server.rp(worker.clientId, worker.clientSecret), {
        resource: api.identifier,
      }),
    ).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('keeps an expired JWT inactive', async () => {
    const api = await registerApi(server, { ttl: 1 });
    const { token } = await serviceToken(api);
    const exp = (
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number }
    ).exp;
    while (now() < exp + 1) await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await introspect(server, api.introspector, { token })).body).toEqual({ active: false });
  });
});

/** A sign-in with no `resource`: its access token is for no API (userinfo only). */
async function plainSignIn(): Promise<
  [oidc.Configuration, { username: string; password: string }, string]
> {
  const user = await server.createUser();
  const client = await server.createClient();
  return [await server.rp(client.clientId, client.clientSecret), user, client.redirectUri];
}
