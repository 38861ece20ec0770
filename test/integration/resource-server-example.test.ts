/**
 * The example API (examples/resource-server) against a real server: both ways of checking a
 * token — introspection and local JWT verification — with every refusal an API must make.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import {
  callApi,
  machineClient,
  registerApi,
  signInForApi,
  startExampleApi,
  type ExampleApi,
  type RegisteredApi,
} from './resource-server-setup.ts';

let server: TestServer;
let jwtApi: RegisteredApi;
let opaqueApi: RegisteredApi;
let otherApi: RegisteredApi;
let jwtExample: ExampleApi;
let opaqueExample: ExampleApi;

beforeAll(async () => {
  server = await startTestServer();
  jwtApi = await registerApi(server, { format: 'jwt' });
  opaqueApi = await registerApi(server, { format: 'opaque' });
  otherApi = await registerApi(server, { format: 'jwt' });
  // No introspection cache: these tests show what Portcullis answers, at once.
  jwtExample = await startExampleApi(server, jwtApi);
  opaqueExample = await startExampleApi(server, opaqueApi);
});
afterAll(async () => {
  await jwtExample?.stop();
  await opaqueExample?.stop();
  await server?.stop({ graceMs: 100 });
});

describe("tokens for the API's audience", () => {
  it('accepts an opaque client-credentials token by introspection, and refuses it where a JWT is required', async () => {
    const worker = await machineClient(server, opaqueApi, ['orders:read']);
    const { access_token } = await oidc.clientCredentialsGrant(worker.rp, {
      resource: opaqueApi.identifier,
      scope: 'orders:read',
    });

    const introspected = await callApi(`${opaqueExample.url}/orders`, access_token);
    expect(introspected.status).toBe(200);
    expect(introspected.body).toMatchObject({
      client_id: worker.clientId,
      verified_by: 'introspection',
    });

    const local = await callApi(`${opaqueExample.url}/orders/local`, access_token);
    expect(local.status).toBe(401);
    expect(local.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('accepts a JWT client-credentials token both ways', async () => {
    const worker = await machineClient(server, jwtApi, ['orders:read']);
    const { access_token } = await oidc.clientCredentialsGrant(worker.rp, {
      resource: jwtApi.identifier,
      scope: 'orders:read',
    });

    expect(await callApi(`${jwtExample.url}/orders`, access_token)).toMatchObject({
      status: 200,
      body: { client_id: worker.clientId, verified_by: 'introspection' },
    });
    expect(await callApi(`${jwtExample.url}/orders/local`, access_token)).toMatchObject({
      status: 200,
      body: { client_id: worker.clientId, verified_by: 'jwt' },
    });
  });

  it("accepts a user's JWT access token both ways, with the user as subject", async () => {
    const { tokens, user, client } = await signInForApi(server, jwtApi);
    for (const path of ['/orders', '/orders/local']) {
      const res = await callApi(`${jwtExample.url}${path}`, tokens.access_token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ subject: user.id, client_id: client.clientId });
    }
  });

  it("accepts a user's opaque access token by introspection", async () => {
    const { tokens, user } = await signInForApi(server, opaqueApi);
    const res = await callApi(`${opaqueExample.url}/orders`, tokens.access_token);
    expect(res).toMatchObject({ status: 200, body: { subject: user.id } });
  });
});

describe('refusals', () => {
  it('refuses a request without a token with 401 and a challenge for each scheme (RFC 6750 §3, RFC 9449 §7.1)', async () => {
    const res = await callApi(`${jwtExample.url}/orders`, undefined);
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="api"/);
    expect(challenge).toContain('DPoP realm="api"');
    expect(challenge).not.toContain('error=');
  });

  it('refuses a token issued for another API, both ways', async () => {
    const worker = await machineClient(server, otherApi, ['orders:read']);
    const { access_token } = await oidc.clientCredentialsGrant(worker.rp, {
      resource: otherApi.identifier,
      scope: 'orders:read',
    });
    for (const path of ['/orders', '/orders/local']) {
      const res = await callApi(`${jwtExample.url}${path}`, access_token);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_token');
    }
  });

  it("refuses a token issued for no API (a sign-in's userinfo token), both ways", async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    for (const path of ['/orders', '/orders/local']) {
      expect((await callApi(`${jwtExample.url}${path}`, tokens.access_token)).status).toBe(401);
    }
  });

  it('refuses a token without the required scope with 403 insufficient_scope', async () => {
    const worker = await machineClient(server, jwtApi, ['orders:write']);
    const { access_token } = await oidc.clientCredentialsGrant(worker.rp, {
      resource: jwtApi.identifier,
      scope: 'orders:write',
    });
    for (const path of ['/orders', '/orders/local']) {
      const res = await callApi(`${jwtExample.url}${path}`, access_token);
      expect(res.status).toBe(403);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="orders:read"');
    }
  });

  it('refuses a tampered JWT both ways', async () => {
    const worker = await machineClient(server, jwtApi, ['orders:read']);
    const { access_token } = await oidc.clientCredentialsGrant(worker.rp, {
      resource: jwtApi.identifier,
      scope: 'orders:read',
    });
    const [header, payload, signature] = access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = [
      header,
      Buffer.from(
        JSON.stringify({
          ...claims,
          scope: 'orders:read orders:write',
          exp: (claims.exp as number) + 3600,
        }),
      ).toString('base64url'),
      signature,
    ].join('.');
    for (const path of ['/orders', '/orders/local']) {
      expect((await callApi(`${jwtExample.url}${path}`, forged)).status).toBe(401);
    }
  });
});

describe('revocation', () => {
  it('is seen at once through introspection, while a JWT verified locally stays valid until it expires', async () => {
    const { tokens, rp } = await signInForApi(server, jwtApi);
    expect((await callApi(`${jwtExample.url}/orders`, tokens.access_token)).status).toBe(200);

    // Revoking the refresh token ends the grant (oidc-provider's revokeGrantPolicy).
    await oidc.tokenRevocation(rp, tokens.refresh_token ?? '');

    expect((await callApi(`${jwtExample.url}/orders`, tokens.access_token)).status).toBe(401);
    // The documented trade-off of local verification (docs/apis.md): valid until `exp`.
    expect((await callApi(`${jwtExample.url}/orders/local`, tokens.access_token)).status).toBe(200);
  });

  it('is seen at once for opaque tokens too', async () => {
    const { tokens, rp } = await signInForApi(server, opaqueApi);
    expect((await callApi(`${opaqueExample.url}/orders`, tokens.access_token)).status).toBe(200);
    await oidc.tokenRevocation(rp, tokens.refresh_token ?? '');
    expect((await callApi(`${opaqueExample.url}/orders`, tokens.access_token)).status).toBe(401);
  });
});

describe('DPoP (RFC 9449)', () => {
  it('accepts a DPoP-bound token with its proof, and refuses it replayed as a Bearer token, both ways', async () => {
    const worker = await machineClient(server, jwtApi, ['orders:read']);
    const key = await oidc.randomDPoPKeyPair();
    const DPoP = oidc.getDPoPHandle(worker.rp, key);
    const tokens = await oidc.clientCredentialsGrant(
      worker.rp,
      { resource: jwtApi.identifier, scope: 'orders:read' },
      { DPoP },
    );
    expect(tokens.token_type).toBe('dpop');

    for (const path of ['/orders', '/orders/local']) {
      const url = new URL(`${jwtExample.url}${path}`);
      const withProof = await oidc.fetchProtectedResource(
        worker.rp,
        tokens.access_token,
        url,
        'GET',
        undefined,
        undefined,
        { DPoP },
      );
      expect(withProof.status).toBe(200);

      const replayed = await callApi(url.href, tokens.access_token, 'Bearer');
      expect(replayed.status).toBe(401);
      expect(replayed.body.error).toBe('invalid_token');
      expect(String(replayed.body.error_description)).toContain('DPoP');
    }
  });

  it('refuses a DPoP token whose proof was made for another request', async () => {
    const worker = await machineClient(server, opaqueApi, ['orders:read']);
    const DPoP = oidc.getDPoPHandle(worker.rp, await oidc.randomDPoPKeyPair());
    const tokens = await oidc.clientCredentialsGrant(
      worker.rp,
      { resource: opaqueApi.identifier, scope: 'orders:read' },
      { DPoP },
    );
    // A proof made for /health, replayed against /orders.
    const captured: string[] = [];
    worker.rp[oidc.customFetch] = async (url, init) => {
      captured.push(new Headers(init.headers).get('dpop') ?? '');
      return fetch(url, init);
    };
    await oidc.fetchProtectedResource(
      worker.rp,
      tokens.access_token,
      new URL(`${opaqueExample.url}/health`),
      'GET',
      undefined,
      undefined,
      { DPoP },
    );
    const res = await fetch(`${opaqueExample.url}/orders`, {
      headers: { authorization: `DPoP ${tokens.access_token}`, dpop: captured[0] ?? '' },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error?: string }).error).toBe('invalid_dpop_proof');
  });
});
