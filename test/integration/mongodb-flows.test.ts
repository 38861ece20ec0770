/**
 * The main flows over HTTP with a real relying-party library, on the `mongodb` store: the
 * MongoDB-protocol server from global-setup (FerretDB, or a real mongod when MONGODB_URI is
 * set), in a database of this file's own, dropped at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import * as oidc from 'openid-client';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { completeSignIn, signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tokenRequest as rawTokenRequest } from '../helpers/token-request.ts';

const uri = requireMongoUri();
const dbName = uniqueDatabaseName('mongodb_flows');
let env: Record<string, string>;
let server: TestServer;
let api: { clientId: string; clientSecret: string };
let apiRp: oidc.Configuration;

beforeAll(async () => {
  // A fixed port: the restart test starts a second server with the same issuer.
  env = { STORE: 'mongodb', MONGODB_URI: uri, MONGODB_DB: dbName, PORT: String(await freePort()) };
  server = await startTestServer(env);
  // A resource server: the only kind of client allowed to introspect.
  api = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
  apiRp = await server.rp(api.clientId, api.clientSecret);
}, 60_000);

afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  const client = new MongoClient(uri);
  try {
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
});

async function freshSignIn() {
  const user = await server.createUser();
  const client = await server.createClient();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const browser = new TestBrowser();
  const result = await signInAndRedeem(browser, rp, user, client.redirectUri);
  return { user, client, rp, browser, ...result };
}

function tokenRequest(
  client: { clientId: string; clientSecret: string },
  body: Record<string, string>,
) {
  return rawTokenRequest(server.issuer, client, body);
}

/** `prompt=none` in the browser: null when the session signed the user in silently, else the error. */
async function silentSignIn(browser: TestBrowser, rp: oidc.Configuration, redirectUri: string) {
  const probe = await startAuthorization(browser, rp, redirectUri, { prompt: 'none' });
  const callback = new URL(probe.page.location ?? '');
  return { error: callback.searchParams.get('error'), callback, probe };
}

describe('sign-in on the mongodb store', () => {
  it('signs a user in with code + PKCE through the login and consent pages', async () => {
    expect(server.services.store.backend).toBe('mongodb');
    const { tokens, auth, user, client, rp } = await freshSignIn();
    const claims = tokens.claims();
    expect(claims).toMatchObject({
      iss: server.issuer,
      aud: client.clientId,
      sub: user.id,
      nonce: auth.nonce,
    });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, user.id);
    expect(info).toMatchObject({
      sub: user.id,
      email: user.email,
      preferred_username: user.username,
    });
  });

  it('signs in ten browsers of one user at the same time without an error', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    // The old example adapter hit E11000 on its unique uid index here (stack notes).
    const browsers = Array.from({ length: 10 }, () => new TestBrowser());
    const results = await Promise.allSettled(
      browsers.map((browser) => signInAndRedeem(browser, rp, user, client.redirectUri)),
    );
    const failures = results
      .filter((r) => r.status === 'rejected')
      .map((r) => String((r as PromiseRejectedResult).reason));
    expect(failures).toEqual([]);
    // Ten sessions, none lost or overwritten by another: each browser signs in silently again.
    const silent = await Promise.all(
      browsers.map((browser) => silentSignIn(browser, rp, client.redirectUri)),
    );
    expect(silent.map((s) => s.error)).toEqual(Array.from({ length: 10 }, () => null));
    const sessionIds = browsers.map(
      (browser) => browser.cookies.find((c) => c.name === '_session')?.value,
    );
    expect(new Set(sessionIds).size).toBe(10);
  }, 90_000);

  it('signs in a client whose client_id contains dots, and keeps its session (stack notes)', async () => {
    // Session documents key per-client state by client_id: dots there once broke MongoDB storage.
    const clientId = 'app.example.com';
    const clientSecret = randomBytes(32).toString('base64url');
    const redirectUri = 'https://app.example.com/callback';
    await server.services.store.oidc.upsert('Client', clientId, {
      client_id: clientId,
      client_secret: clientSecret,
      client_name: 'Dotted App',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const user = await server.createUser();
    const rp = await server.rp(clientId, clientSecret);
    const browser = new TestBrowser();
    const { tokens } = await signInAndRedeem(browser, rp, user, redirectUri);
    expect(tokens.claims()).toMatchObject({ aud: clientId, sub: user.id });

    const silent = await silentSignIn(browser, rp, redirectUri);
    expect(silent.error).toBeNull();
    const again = await oidc.authorizationCodeGrant(rp, silent.callback, {
      pkceCodeVerifier: silent.probe.verifier,
      expectedState: silent.probe.state,
      expectedNonce: silent.probe.nonce,
    });
    expect(again.claims()?.sub).toBe(user.id);
    expect((await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).claims()?.aud).toBe(
      clientId,
    );
  });
});

describe('tokens on the mongodb store', () => {
  it('rotates the refresh token on every use (RFC 9700 §4.14.2)', async () => {
    const { rp, tokens, user } = await freshSignIn();
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(user.id);
  });

  it('rejects a reused refresh token and revokes the whole grant', async () => {
    const { rp, tokens, client } = await freshSignIn();
    const first = tokens.refresh_token ?? '';
    const second = await oidc.refreshTokenGrant(rp, first);

    const reuse = await tokenRequest(client, { grant_type: 'refresh_token', refresh_token: first });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    const next = await tokenRequest(client, {
      grant_type: 'refresh_token',
      refresh_token: second.refresh_token ?? '',
    });
    expect(next.body.error).toBe('invalid_grant');
    expect((await oidc.tokenIntrospection(apiRp, second.access_token)).active).toBe(false);
  });

  it('lets exactly one of several concurrent redemptions of one code succeed', async () => {
    const user = await server.createUser();
    const client = await server.createClient();
    const rp = await server.rp(client.clientId, client.clientSecret);
    const browser = new TestBrowser();
    const auth = await startAuthorization(browser, rp, client.redirectUri);
    const callback = await completeSignIn(browser, auth, user, client.redirectUri);
    const code = new URL(callback).searchParams.get('code') ?? '';
    const body = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: auth.verifier,
    };

    // FerretDB applies conditional updates non-atomically: this goes through the backend's
    // insert-once consume markers there, and through a single conditional update on mongod.
    const results = await Promise.all(Array.from({ length: 6 }, () => tokenRequest(client, body)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const failure of results.filter((r) => r.status !== 200)) {
      expect(failure).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
      expect(failure.body.access_token).toBeUndefined();
    }
  });

  it('issues client-credentials tokens that a resource server can introspect', async () => {
    const worker = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const tokens = await oidc.clientCredentialsGrant(
      await server.rp(worker.clientId, worker.clientSecret),
    );
    expect(tokens.refresh_token).toBeUndefined();
    const introspected = await oidc.tokenIntrospection(apiRp, tokens.access_token);
    expect(introspected).toMatchObject({
      active: true,
      client_id: worker.clientId,
      token_type: 'Bearer',
    });
  });

  it('introspects a user access token with its subject, and answers inactive once it is revoked', async () => {
    const { tokens, user, client, rp } = await freshSignIn();
    expect(await oidc.tokenIntrospection(apiRp, tokens.access_token)).toMatchObject({
      active: true,
      sub: user.id,
      client_id: client.clientId,
    });
    await oidc.tokenRevocation(rp, tokens.access_token);
    expect((await oidc.tokenIntrospection(apiRp, tokens.access_token)).active).toBe(false);
  });
});

describe('logout on the mongodb store', () => {
  it('ends the session on the server after RP-initiated logout', async () => {
    const { rp, browser, tokens, client } = await freshSignIn();
    expect((await silentSignIn(browser, rp, client.redirectUri)).error).toBeNull();
    const endSession = oidc.buildEndSessionUrl(rp, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: 'https://rp.example/signed-out',
      state: 'bye',
    });
    const confirm = await browser.get(endSession.href);
    expect(confirm.status).toBe(200);
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.status).toBe(303);
    expect(new URL(done.location ?? '').searchParams.get('state')).toBe('bye');
    // ASVS 7.4.1: the session is gone from the store, not only from the browser.
    expect((await silentSignIn(browser, rp, client.redirectUri)).error).toBe('login_required');
  });
});

describe('a restart on the mongodb store', () => {
  it('keeps users, clients, keys, sessions and refresh tokens', async () => {
    const { user, client, browser, tokens } = await freshSignIn();
    const jwksBefore = await (await fetch(`${server.issuer}/jwks`)).json();
    await server.stop({ graceMs: 100 });
    // Let this test's HTTP client notice the closed keep-alive sockets first.
    await sleep(100);

    server = await startTestServer(env);
    const rp = await server.rp(client.clientId, client.clientSecret);
    expect(await (await fetch(`${server.issuer}/jwks`)).json()).toEqual(jwksBefore);
    expect((await oidc.fetchUserInfo(rp, tokens.access_token, user.id)).sub).toBe(user.id);
    const introspected = await oidc.tokenIntrospection(
      await server.rp(api.clientId, api.clientSecret),
      tokens.access_token,
    );
    expect(introspected.active).toBe(true);

    // The browser's session survived (sessions and cookie keys live in the store).
    const silent = await silentSignIn(browser, rp, client.redirectUri);
    expect(silent.error).toBeNull();
    const again = await oidc.authorizationCodeGrant(rp, silent.callback, {
      pkceCodeVerifier: silent.probe.verifier,
      expectedState: silent.probe.state,
      expectedNonce: silent.probe.nonce,
    });
    expect(again.claims()?.sub).toBe(user.id);
    // The refresh token from before the restart still rotates, and the password still works.
    expect((await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '')).claims()?.sub).toBe(
      user.id,
    );
    const fresh = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    expect(fresh.tokens.claims()?.sub).toBe(user.id);
  }, 60_000);
});
