/**
 * The refresh-token reuse grace window (issue 12, item 12; src/http/refresh-token-grace.ts), on
 * every backend, through a real server over HTTP: parallel refreshes with one refresh token all
 * get the same successor and the user stays signed in; a request with other client credentials
 * gets nothing; reuse after the window still revokes the grant (RFC 9700 §4.14.2).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { freePort, startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';
import { tokenRequest } from '../helpers/token-request.ts';

const GRACE_SECONDS = 3;
const dir = tempDir();
const dbName = uniqueDatabaseName('refresh_grace');

const backends: Array<[string, () => Record<string, string>]> = [
  ['memory', () => ({ STORE: 'memory' })],
  ['sqlite', () => ({ STORE: 'sqlite', DATA_DIR: dir.path })],
  ['mongodb', () => ({ STORE: 'mongodb', MONGODB_URI: requireMongoUri(), MONGODB_DB: dbName })],
];

afterAll(async () => {
  dir.remove();
  const mongo = new MongoClient(requireMongoUri());
  await mongo
    .db(dbName)
    .dropDatabase()
    .catch(() => undefined);
  await mongo.close();
});

describe.each(backends)('refresh-token grace window on the %s store', (_name, env) => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  it('answers parallel refreshes with one token alike, refuses other credentials, and revokes on reuse after the window', async () => {
    server = await startTestServer({
      ...env(),
      REFRESH_TOKEN_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    const user = await server.createUser();
    const client = await server.createClient();
    const { tokens } = await signInAndRedeem(
      new TestBrowser(),
      await server.rp(client.clientId, client.clientSecret),
      user,
      client.redirectUri,
    );
    const first = tokens.refresh_token ?? '';
    const refresh = (token: string, secret = client.clientSecret) =>
      tokenRequest(
        server!.issuer,
        { clientId: client.clientId, clientSecret: secret },
        { grant_type: 'refresh_token', refresh_token: token },
      );

    // A double click, five times over, plus one request with a wrong secret, all at once.
    const [wrong, ...answers] = await Promise.all([
      refresh(first, 'not-the-secret'),
      ...Array.from({ length: 5 }, () => refresh(first)),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const successor = answers[0]?.body.refresh_token;
    expect(typeof successor).toBe('string');
    expect(successor).not.toBe(first);
    expect(new Set(answers.map((a) => a.body.refresh_token))).toEqual(new Set([successor]));
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    for (const answer of answers) expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(wrong.body.access_token).toBeUndefined();

    // The user is still signed in: the successor rotates as usual.
    const next = await refresh(String(successor));
    expect(next.status).toBe(200);
    const newest = String(next.body.refresh_token);

    // After the window the old token is a reuse again: refused, and the whole grant revoked.
    await sleep(GRACE_SECONDS * 1000 + 500);
    const reused = await refresh(first);
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');
    const afterRevocation = await refresh(newest);
    expect(afterRevocation.status).toBe(400);
    expect(afterRevocation.body.error).toBe('invalid_grant');
  }, 60_000);

  it('treats the old token with other parameters within the window as a reuse', async () => {
    server ??= await startTestServer({
      ...env(),
      REFRESH_TOKEN_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    const user = await server.createUser();
    const client = await server.createClient();
    const { tokens } = await signInAndRedeem(
      new TestBrowser(),
      await server.rp(client.clientId, client.clientSecret),
      user,
      client.redirectUri,
    );
    const credentials = { clientId: client.clientId, clientSecret: client.clientSecret };
    const first = await tokenRequest(server.issuer, credentials, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(first.status).toBe(200);

    // Not the same request (a narrower scope): no replayed answer, the engine's reuse verdict.
    const other = await tokenRequest(server.issuer, credentials, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
      scope: 'openid',
    });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('invalid_grant');
    const successor = await tokenRequest(server.issuer, credentials, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expect(successor.status).toBe(400);
  }, 60_000);
});

describe.each(backends.filter(([name]) => name !== 'memory'))(
  'refresh-token grace window across two servers on one %s store',
  (_name, env) => {
    const servers: TestServer[] = [];
    afterAll(async () => {
      for (const server of servers) await server.stop({ graceMs: 100 });
    });

    it('answers parallel refreshes sent to both servers with one successor', async () => {
      // Two processes of one deployment: one store, one issuer (the second listens elsewhere).
      const first = await startTestServer({
        ...env(),
        REFRESH_TOKEN_GRACE_SECONDS: String(GRACE_SECONDS),
      });
      servers.push(first);
      const port = await freePort();
      const second = await startTestServer({
        ...env(),
        REFRESH_TOKEN_GRACE_SECONDS: String(GRACE_SECONDS),
        ISSUER: first.issuer,
        PORT: String(port),
        ALLOWED_HOSTS: `127.0.0.1:${port}`,
      });
      servers.push(second);
      const user = await first.createUser();
      const client = await first.createClient();
      const { tokens } = await signInAndRedeem(
        new TestBrowser(),
        await first.rp(client.clientId, client.clientSecret),
        user,
        client.redirectUri,
      );
      const credentials = { clientId: client.clientId, clientSecret: client.clientSecret };
      const body = { grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' };

      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          tokenRequest(i % 2 === 0 ? first.url : second.url, credentials, body),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(new Set(answers.map((a) => a.body.refresh_token)).size).toBe(1);
      const next = await tokenRequest(second.url, credentials, {
        grant_type: 'refresh_token',
        refresh_token: String(answers[0]?.body.refresh_token),
      });
      expect(next.status).toBe(200);
    }, 60_000);
  },
);
