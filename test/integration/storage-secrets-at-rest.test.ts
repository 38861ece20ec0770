/**
 * Secrets at rest (issue 12, item 11; docs/security.md): after a real sign-in, code redemption,
 * refresh and introspection, a copy of the database — the SQLite file with its WAL, every
 * MongoDB collection — holds none of the tokens, the code, the session cookie value, the client
 * secret or any signing key's private material in clear. And everything still works from it.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BSON, MongoClient } from 'mongodb';
import * as oidc from 'openid-client';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** Signs in, redeems, refreshes twice and introspects; returns every secret that must not leak. */
async function exercise(server: TestServer): Promise<Map<string, string>> {
  const user = await server.createUser();
  const client = await server.createClient();
  const api = await server.createClient({
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    resource_server: true,
  });
  const browser = new TestBrowser();
  const rp = await server.rp(client.clientId, client.clientSecret);
  const { tokens, callback } = await signInAndRedeem(browser, rp, user, client.redirectUri);
  const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
  const again = await oidc.refreshTokenGrant(rp, refreshed.refresh_token ?? '');
  // Everything still works: the newest tokens are live, found by their (hashed) ids.
  expect((await oidc.fetchUserInfo(rp, again.access_token, user.id)).sub).toBe(user.id);
  expect(
    (
      await oidc.tokenIntrospection(
        await server.rp(api.clientId, api.clientSecret),
        again.access_token,
      )
    ).active,
  ).toBe(true);
  const clientCredentials = await oidc.clientCredentialsGrant(
    await server.rp(api.clientId, api.clientSecret),
  );

  const secrets = new Map<string, string>([
    ['authorization code', new URL(callback).searchParams.get('code') ?? ''],
    ['first access token', tokens.access_token],
    ['first refresh token', tokens.refresh_token ?? ''],
    ['second refresh token', refreshed.refresh_token ?? ''],
    ['newest access token', again.access_token],
    ['newest refresh token', again.refresh_token ?? ''],
    ['client credentials token', clientCredentials.access_token],
    ['client secret', client.clientSecret],
  ]);
  for (const cookie of browser.cookies) {
    if (cookie.name === '_session') secrets.set('session cookie value', cookie.value);
  }
  expect(secrets.has('session cookie value')).toBe(true);
  // The plaintext keys, as the server reads them (decrypted).
  for (const key of await server.services.store.keys.list()) {
    for (const member of PRIVATE_MEMBERS) {
      const value = key.privateJwk[member];
      if (typeof value === 'string')
        secrets.set(`private member ${member} of key ${key.kid}`, value);
    }
  }
  expect([...secrets.keys()].some((name) => name.startsWith('private member d'))).toBe(true);
  for (const [name, value] of secrets) expect([name, value.length >= 16]).toEqual([name, true]);
  return secrets;
}

function leaked(dump: string, secrets: Map<string, string>): string[] {
  return [...secrets].filter(([, value]) => dump.includes(value)).map(([name]) => name);
}

describe('secrets at rest', () => {
  const dir = tempDir();
  const dbName = uniqueDatabaseName('secrets_at_rest');
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
    dir.remove();
    const mongo = new MongoClient(requireMongoUri());
    await mongo
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
  });

  it('leaves no token, code, session id, client secret or private key in the SQLite file', async () => {
    server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dir.path });
    const secrets = await exercise(server);
    // The main file, its write-ahead log and anything else SQLite keeps: read while running, as a
    // copied data directory would be, and again after a clean stop (the WAL checkpointed).
    const dump = () =>
      readdirSync(dir.path)
        .map((name) => readFileSync(join(dir.path, name)).toString('latin1'))
        .join('\n');
    expect(leaked(dump(), secrets)).toEqual([]);
    await server.stop({ graceMs: 100 });
    server = undefined;
    expect(leaked(dump(), secrets)).toEqual([]);
  }, 60_000);

  it('leaves none of them in any MongoDB collection', async () => {
    server = await startTestServer({
      STORE: 'mongodb',
      MONGODB_URI: requireMongoUri(),
      MONGODB_DB: dbName,
    });
    const secrets = await exercise(server);
    const mongo = new MongoClient(requireMongoUri());
    try {
      const db = mongo.db(dbName);
      const parts: string[] = [];
      for (const { name } of await db.listCollections().toArray()) {
        parts.push(BSON.EJSON.stringify(await db.collection(name).find({}).toArray()));
      }
      const dump = parts.join('\n');
      expect(leaked(dump, secrets)).toEqual([]);
      expect(dump).toContain('sha256:'); // the dump did read the (hashed) token entries
    } finally {
      await mongo.close();
    }
  }, 60_000);
});
