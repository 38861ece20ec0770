/**
 * What Portcullis does when MongoDB goes away and comes back, on a FerretDB of this file's own
 * (stopping the shared one would break the other suites): 503s with Retry-After and a failing
 * `/readyz` during the outage, recovery without a restart, and a start that waits for the
 * database instead of crashing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { startFerretDb, type FerretDb } from '../helpers/ferretdb.ts';
import { uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { completeSignIn, signInAndRedeem, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, startTestServer, unique } from '../helpers/test-server.ts';

const dbName = uniqueDatabaseName('mongodb_outage');
/** Low, so each request made during the outage fails within about a second. */
const SELECTION_TIMEOUT_MS = '1000';
let ferret: FerretDb;
let server: RunningServer | undefined;

beforeAll(async () => {
  ferret = await startFerretDb();
}, 30_000);

afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  await ferret?.destroy();
}, 30_000);

async function stopServer(): Promise<void> {
  await server?.stop({ graceMs: 100 });
  server = undefined;
  await sleep(100); // let the test's HTTP client notice the closed keep-alive sockets
}

/** Polls `check` until it returns true or `timeoutMs` passes. */
async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

async function getJson(url: string) {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function tokenRequest(
  issuer: string,
  client: { clientId: string; clientSecret: string },
  body: Record<string, string>,
) {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** Starts the server as `main` does, with its log lines kept in `lines` (JSON, one per line). */
async function startLogged(uri: string, lines: string[]): Promise<RunningServer> {
  const port = await freePort();
  const result = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    ISSUER: `http://127.0.0.1:${String(port)}`,
    LOG_LEVEL: 'info',
    STORE: 'mongodb',
    MONGODB_URI: uri,
    MONGODB_DB: dbName,
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: SELECTION_TIMEOUT_MS,
  });
  if (!result.ok) throw new Error(`test config invalid: ${result.errors.join('; ')}`);
  const log = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return startServer(result.config, log);
}

/** A user, a client and a full sign-in on a server started by `startLogged`. */
async function signInOn(running: RunningServer) {
  const { accounts, store } = running.services;
  const username = unique('user');
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const account = await accounts.create({
    username,
    email: `${username}@example.com`,
    emailVerified: true,
    password,
    claims: {},
  });
  const clientId = unique('client');
  const clientSecret = randomBytes(32).toString('base64url');
  const redirectUri = 'https://rp.example/callback';
  await store.oidc.upsert('Client', clientId, {
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  const rp = await oidc.discovery(
    new URL(running.url),
    clientId,
    undefined,
    oidc.ClientSecretBasic(clientSecret),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  const { tokens } = await signInAndRedeem(
    new TestBrowser(),
    rp,
    { username, password },
    redirectUri,
  );
  return { accountId: account.id, tokens };
}

const retryLogged = (lines: string[]) =>
  lines.some((line) => line.includes('mongodb: not reachable yet, retrying'));

describe('a MongoDB outage while Portcullis runs', () => {
  it('answers 503 during the outage and recovers by itself when the database returns', async () => {
    const test = await startTestServer({
      STORE: 'mongodb',
      MONGODB_URI: ferret.uri,
      MONGODB_DB: dbName,
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: SELECTION_TIMEOUT_MS,
    });
    server = test;
    const { issuer } = test;
    const user = await test.createUser();
    const client = await test.createClient();
    const api = await test.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resource_server: true,
    });
    const rp = await test.rp(client.clientId, client.clientSecret);
    const before = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    // A sign-in left on the login page when the database goes away.
    const browser = new TestBrowser();
    const pending = await startAuthorization(browser, rp, client.redirectUri);
    expect(pending.page.text).toContain('name="password"');
    // And a code issued but not yet redeemed.
    const codeBrowser = new TestBrowser();
    const codeAuth = await startAuthorization(codeBrowser, rp, client.redirectUri);
    const code =
      new URL(
        await completeSignIn(codeBrowser, codeAuth, user, client.redirectUri),
      ).searchParams.get('code') ?? '';

    await ferret.stop();

    const ready = await getJson(`${issuer}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', checks: { store: 'failing', keys: 'ok' } });
    // Liveness does not depend on the database: an outage must not get every process restarted.
    expect((await getJson(`${issuer}/healthz`)).status).toBe(200);
    // Discovery and the JWKS are served from memory: relying parties can still verify ID tokens.
    expect((await getJson(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await getJson(`${issuer}/jwks`)).status).toBe(200);

    // RFC 6749 §5.2 shape with the §4.1.2.1 code, and RFC 9110 §10.2.3 Retry-After.
    const refresh = await tokenRequest(issuer, client, {
      grant_type: 'refresh_token',
      refresh_token: before.tokens.refresh_token ?? '',
    });
    expect(refresh.status).toBe(503);
    expect(refresh.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.any(String),
    });
    expect(Number(refresh.headers.get('retry-after'))).toBeGreaterThan(0);
    // No token goes out unless its grant was stored.
    const redeem = await tokenRequest(issuer, client, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: codeAuth.verifier,
    });
    expect(redeem.status).toBe(503);
    expect(redeem.body.error).toBe('temporarily_unavailable');
    expect(redeem.body.access_token).toBeUndefined();
    const userinfo = await fetch(`${issuer}/me`, {
      headers: { authorization: `Bearer ${before.tokens.access_token}` },
    });
    expect(userinfo.status).toBe(503);
    const introspection = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token: before.tokens.access_token }),
    });
    expect(introspection.status).toBe(503);
    expect(((await introspection.json()) as { error?: string }).error).toBe(
      'temporarily_unavailable',
    );

    // The login page and a new authorization request answer our HTML 503 page, with no details.
    // (The client cannot be loaded for /auth, so it cannot redirect the error to the client.)
    const authorize = new URL(`${issuer}/auth`);
    authorize.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: 'code',
      scope: 'openid',
    }).toString();
    for (const page of [
      await browser.get(pending.page.url),
      await new TestBrowser().get(authorize.href),
    ]) {
      expect(page.status).toBe(503);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(page.text).not.toMatch(/Mongo|127\.0\.0\.1|\bat \S+\.(ts|js)/);
    }
    const login = await browser.submit(pending.page, '/login', {
      username: user.username,
      password: user.password,
    });
    expect(login.status).toBe(503);

    await ferret.start();

    // Recovery with no restart: the driver reconnects on its own.
    expect(
      await eventually(async () => (await getJson(`${issuer}/readyz`)).status === 200, 30_000),
    ).toBe(true);
    // The sign-in that was waiting on the login page finishes.
    const callback = await completeSignIn(browser, pending, user, client.redirectUri);
    const resumed = await oidc.authorizationCodeGrant(rp, new URL(callback), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    });
    expect(resumed.claims()?.sub).toBe(user.id);
    // The refresh token refused during the outage was not used up by it.
    expect(
      (await oidc.refreshTokenGrant(rp, before.tokens.refresh_token ?? '')).claims()?.sub,
    ).toBe(user.id);
    const fresh = await signInAndRedeem(new TestBrowser(), rp, user, client.redirectUri);
    expect(fresh.tokens.claims()?.sub).toBe(user.id);
  }, 120_000);
});

describe('a start while MongoDB is down', () => {
  it('waits with a log line per retry and comes up when the database appears', async () => {
    await stopServer();
    await ferret.stop();
    const lines: string[] = [];
    let earlyFailure: unknown;
    const starting = startLogged(ferret.uri, lines);
    starting.catch((err: unknown) => (earlyFailure = err)); // awaited below; this keeps it handled

    expect(await eventually(() => retryLogged(lines) || earlyFailure !== undefined, 20_000)).toBe(
      true,
    );
    expect(earlyFailure).toBeUndefined();
    const retry = JSON.parse(
      lines.find((line) => line.includes('not reachable yet')) ?? '{}',
    ) as Record<string, unknown>;
    expect(retry).toMatchObject({
      level: 30,
      attempt: 1,
      retryInMs: expect.any(Number),
      attempts: expect.any(Number),
    });

    await ferret.start();
    server = await starting;
    expect(lines.some((line) => line.includes('mongodb: connected'))).toBe(true);
    expect((await getJson(`${server.url}/readyz`)).status).toBe(200);
    const { accountId, tokens } = await signInOn(server);
    expect(tokens.claims()?.sub).toBe(accountId);
  }, 120_000);

  it('never writes the credentials of the connection string to the log or the start error', async () => {
    await stopServer();
    await ferret.stop();
    const secret = `s3cret${randomBytes(8).toString('hex')}`;
    const uri = ferret.uri.replace('mongodb://', `mongodb://portcullis:${secret}@`);
    const lines: string[] = [];
    let earlyFailure: unknown;
    const starting = startLogged(uri, lines);
    starting.catch((err: unknown) => (earlyFailure = err));
    expect(await eventually(() => retryLogged(lines) || earlyFailure !== undefined, 20_000)).toBe(
      true,
    );
    expect(earlyFailure).toBeUndefined();

    // FerretDB's SQLite backend has no authentication and refuses any credentials: a refusal
    // that waiting will not heal, so the start fails at once instead of retrying.
    await ferret.start();
    const failure = await starting.then(
      (running) => {
        server = running;
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    // What `main` logs when the start fails, with the error's causes.
    createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(line) },
    }).fatal({ err: failure }, 'could not start');
    const everything = [
      ...lines,
      String((failure as Error).message),
      String((failure as Error).stack),
    ].join('\n');
    expect(everything).toContain('could not start');
    expect(everything).not.toContain(secret);
  }, 120_000);
});
