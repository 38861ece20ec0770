/**
 * Parallel bursts against the brute-force limits and DPoP replay detection (issue 12 item 7),
 * on sqlite and on the MongoDB backend (the MongoDB-protocol server from global-setup: FerretDB,
 * or a real mongod when MONGODB_URI names one). Each limit must be an atomic reservation: a
 * burst sent all at once gets exactly as many checks as the limit allows, never more.
 * The loopback peer is the trusted proxy, so each test acts from its own address.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type * as oidc from 'openid-client';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { startAuthorization } from '../helpers/sign-in.ts';
import { BrowserAt } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

const LOGIN_IP_LIMIT = 20;
const LOGIN_BURST = 65;
const ACCOUNT_LIMIT = 5;
const CLIENT_LIMIT = 10;
const CLIENT_BURST = 30;

interface Backend {
  name: string;
  env(): Record<string, string>;
  cleanUp(): Promise<void>;
}

const sqliteDir = tempDir('portcullis-bursts-');
const mongoDb = uniqueDatabaseName('parallel_bursts');
const backends: Backend[] = [
  {
    name: 'sqlite',
    env: () => ({ STORE: 'sqlite', DATA_DIR: sqliteDir.path }),
    cleanUp: async () => sqliteDir.remove(),
  },
  {
    name: 'mongodb',
    env: () => ({ STORE: 'mongodb', MONGODB_URI: requireMongoUri(), MONGODB_DB: mongoDb }),
    async cleanUp() {
      const client = new MongoClient(requireMongoUri());
      try {
        await client.db(mongoDb).dropDatabase();
      } finally {
        await client.close();
      }
    },
  },
];

let nextIp = 10;
/** A client address no other test uses (TEST-NET-3). */
function freshIp(): string {
  nextIp += 1;
  return `203.0.113.${nextIp}`;
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe.each(backends)('parallel bursts on $name', (backend) => {
  let server: TestServer;
  let client: Awaited<ReturnType<TestServer['createClient']>>;
  let rp: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestServer({
      ...backend.env(),
      TRUST_PROXY: 'true',
      TRUSTED_PROXIES: '127.0.0.1/32,::1/128',
      LOGIN_MAX_FAILURES: String(ACCOUNT_LIMIT),
      LOGIN_IP_MAX_FAILURES: String(LOGIN_IP_LIMIT),
      LOGIN_DELAY_BASE_MS: '0',
      CLIENT_AUTH_MAX_FAILURES: String(CLIENT_LIMIT),
      CLIENT_AUTH_IP_MAX_FAILURES: '1000',
    });
    client = await server.createClient();
    rp = await server.rp(client.clientId, client.clientSecret);
  }, 60_000);
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
    await backend.cleanUp();
  });

  async function loginPages(count: number, ip: () => string) {
    return Promise.all(
      Array.from({ length: count }, async () => {
        const browser = new BrowserAt(ip());
        const auth = await startAuthorization(browser, rp, client.redirectUri);
        expect(auth.page.text).toContain('name="password"');
        return { browser, page: auth.page };
      }),
    );
  }

  async function reasons(filter: { subject?: string; ip?: string }) {
    const page = await server.services.store.events.list(
      { type: 'login.failed', subject: filter.subject },
      { limit: 500 },
    );
    return page.items
      .filter((e) => filter.ip === undefined || e.ip === filter.ip)
      .map((e) => e.details?.reason);
  }

  it(`checks no more than ${String(LOGIN_IP_LIMIT)} of ${String(LOGIN_BURST)} parallel sign-ins from one address (password spraying)`, async () => {
    const ip = freshIp();
    const pages = await loginPages(LOGIN_BURST, () => ip);
    // One guess on each of many logins: no per-account limit is ever reached.
    const answers = await Promise.all(
      pages.map(({ browser, page }, i) =>
        browser.submit(page, '/login', {
          username: `sprayed-${String(i)}-${randomUUID()}`,
          password: 'Summer2026!',
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_IP_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LOGIN_BURST - LOGIN_IP_LIMIT);
    const recorded = await reasons({ ip });
    expect(recorded.filter((r) => r === 'unknown_user')).toHaveLength(LOGIN_IP_LIMIT);
    expect(recorded.filter((r) => r === 'ip_limited')).toHaveLength(LOGIN_BURST - LOGIN_IP_LIMIT);
  }, 120_000);

  it('does not spend the per-address budget on successful sign-ins', async () => {
    const ip = freshIp();
    // More successes than the limit, in waves each within it.
    for (let wave = 0; wave < 3; wave++) {
      const users = await Promise.all(Array.from({ length: 10 }, () => server.createUser()));
      const pages = await loginPages(users.length, () => ip);
      const answers = await Promise.all(
        pages.map(({ browser, page }, i) =>
          browser.submit(page, '/login', {
            username: users[i]?.username ?? '',
            password: users[i]?.password ?? '',
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(users.length).fill(303));
    }
    const [wrong] = await loginPages(1, () => ip);
    expect(
      (
        await wrong?.browser.submit(wrong.page, '/login', {
          username: `nobody-${randomUUID()}`,
          password: 'x',
        })
      )?.status,
    ).toBe(401);
  }, 120_000);

  it(`checks no more than ${String(ACCOUNT_LIMIT)} of 20 parallel guesses at one account`, async () => {
    const user = await server.createUser();
    const pages = await loginPages(20, freshIp);
    const answers = await Promise.all(
      pages.map(({ browser, page }, i) =>
        browser.submit(page, '/login', { username: user.username, password: `guess-${String(i)}` }),
      ),
    );
    expect(answers.every((a) => a.status === 401)).toBe(true);
    const recorded = await reasons({ subject: user.id });
    expect(recorded.filter((r) => r === 'wrong_password')).toHaveLength(ACCOUNT_LIMIT);
    expect(recorded).toHaveLength(20);
  }, 120_000);

  /** A confidential client allowed the client_credentials grant. */
  const machineClient = () =>
    server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      post_logout_redirect_uris: [],
      resource_server: true,
    });

  it(`checks no more than ${String(CLIENT_LIMIT)} of ${String(CLIENT_BURST)} parallel bad client authentications`, async () => {
    const c = await machineClient();
    const ip = freshIp();
    const answers = await Promise.all(
      Array.from({ length: CLIENT_BURST }, (_, i) =>
        fetch(`${server.issuer}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-forwarded-for': ip,
            authorization: basic(c.clientId, `wrong-${String(i)}`),
          },
          body: 'grant_type=client_credentials',
        }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(CLIENT_LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(CLIENT_BURST - CLIENT_LIMIT);
    // A good request from there is refused too: the limit holds.
    const good = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': ip,
        authorization: basic(c.clientId, c.clientSecret),
      },
      body: 'grant_type=client_credentials',
    });
    expect(good.status).toBe(429);
  }, 60_000);

  it('does not spend the failure budget on good client authentications', async () => {
    const c = await machineClient();
    const ip = freshIp();
    const post = (secret: string) =>
      fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': ip,
          authorization: basic(c.clientId, secret),
        },
        body: 'grant_type=client_credentials',
      });
    for (let wave = 0; wave < 3; wave++) {
      const answers = await Promise.all(
        Array.from({ length: CLIENT_LIMIT }, () => post(c.clientSecret)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(CLIENT_LIMIT).fill(200));
    }
    expect((await post('wrong')).status).toBe(401);
  }, 60_000);

  it('issues exactly one token for 10 parallel uses of one DPoP proof (RFC 9449 §11.1)', async () => {
    const c = await machineClient();
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const proof = await new SignJWT({
      htm: 'POST',
      htu: `${server.issuer}/token`,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(publicKey) })
      .setIssuedAt()
      .sign(privateKey);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${server.issuer}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basic(c.clientId, c.clientSecret),
            dpop: proof,
          },
          body: 'grant_type=client_credentials',
        }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as Record<string, unknown>,
        })),
      ),
    );
    const issued = answers.filter((a) => typeof a.body.access_token === 'string');
    expect(issued).toHaveLength(1);
    expect(issued[0]?.body.token_type).toBe('DPoP');
    for (const refused of answers.filter((a) => a.status !== 200))
      expect(refused.body.error).toMatch(/^invalid_(dpop_proof|grant)$/);
  }, 60_000);
});
