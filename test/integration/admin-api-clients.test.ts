import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { createStore } from '../../src/storage/create-store.ts';
import type { Store } from '../../src/storage/ports.ts';
import {
  startBackchannelReceiver,
  verifyLogoutToken,
  waitFor,
} from '../helpers/backchannel-receiver.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { tempDir } from '../helpers/test-server.ts';
import { randomBytes } from 'node:crypto';
import { clientsReencryptedSchema } from '../../src/admin/admin-response-schemas.ts';
import { adminToken, startAdminServer, tokenRequest, type AdminFixture } from './admin-fixtures.ts';

// Clients through the admin API (issue 4, items 1, 3, 4, 7), on the sqlite store so the raw
// database can be read beside the server to check what is stored at rest.

let f: AdminFixture;
let raw: Store;
const data = tempDir('portcullis-admin-clients-');

beforeAll(async () => {
  f = await startAdminServer({ STORE: 'sqlite', DATA_DIR: data.path });
  // A second connection to the same file, without the decryption layer: what a stolen copy shows.
  raw = await createStore(f.server.config);
});
afterAll(async () => {
  await raw?.close();
  await f?.server.stop({ graceMs: 100 });
  data.remove();
});

const web = (uri = 'https://rp.example/cb') => ({ client_name: 'Web app', redirect_uris: [uri] });

async function countClients(): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await raw.oidc.list('Client', { cursor, limit: 100 });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

async function createClient(body: Record<string, unknown>) {
  const res = await f.api('POST', '/clients', body);
  expect(res.status).toBe(201);
  return res.body as { client_id: string; client_secret?: string } & Record<string, unknown>;
}

describe('creating, reading and listing clients', () => {
  it('creates a client, answers 201 with a Location and the secret once, and never shows the secret again', async () => {
    const res = await f.api('POST', '/clients', web());
    expect(res.status).toBe(201);
    const id = String(res.body.client_id);
    expect(res.headers.get('location')).toBe(`/admin/v1/clients/${id}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toMatchObject({
      client_name: 'Web app',
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const secret = String(res.body.client_secret);

    const read = await f.api('GET', `/clients/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('client_secret');
    const listed = await f.api('GET', '/clients?limit=100');
    expect(listed.text).not.toContain(secret);
  });

  it('stores the secret encrypted (AES-256-GCM), never in clear', async () => {
    const created = await createClient(web());
    const stored = await raw.oidc.find('Client', created.client_id);
    expect(String(stored?.client_secret)).toMatch(/^enc:v1:[A-Za-z0-9_-]{8}:/);
    expect(JSON.stringify(stored)).not.toContain(String(created.client_secret));
  });

  it('pages with a cursor and clamps the page size to 1..100', async () => {
    while ((await countClients()) < 102) await createClient(web());
    const one = await f.api('GET', '/clients?limit=0');
    expect(one.status).toBe(200);
    expect(one.body.items).toHaveLength(1);
    const capped = await f.api('GET', '/clients?limit=100000');
    const items = capped.body.items as { client_id: string }[];
    expect(items).toHaveLength(100);
    expect(capped.body.next_cursor).toEqual(expect.any(String));
    const next = await f.api(
      'GET',
      `/clients?limit=100&cursor=${encodeURIComponent(String(capped.body.next_cursor))}`,
    );
    const nextIds = (next.body.items as { client_id: string }[]).map((c) => c.client_id);
    expect(nextIds.length).toBeGreaterThan(0);
    expect(nextIds.some((id) => items.some((c) => c.client_id === id))).toBe(false);
    const byDefault = await f.api('GET', '/clients');
    expect(byDefault.body.items).toHaveLength(50);
  });

  it('refuses a bad or repeated page parameter', async () => {
    expect((await f.api('GET', '/clients?limit=ten')).status).toBe(400);
    expect((await f.api('GET', '/clients?limit=-1')).status).toBe(400);
    const twice = await f.api('GET', '/clients?limit=1&limit=2');
    expect(twice.status).toBe(400);
    expect(twice.body.details).toEqual({ limit: 'must be given at most once' });
    expect((await f.api('GET', '/clients?sort=name')).body.details).toEqual({
      sort: 'is not a parameter of this listing',
    });
  });

  it('answers 404 for an unknown client', async () => {
    const res = await f.api('GET', '/clients/no-such-client');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});

describe('validation (RFC 9700 §2.1, §2.6; RFC 7591 §3.2.2): a refused client changes nothing', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      'an http redirect URI for a web app',
      web('http://app.example/cb'),
      'invalid_redirect_uri',
      'redirect_uris',
    ],
    [
      'a redirect URI with a fragment',
      web('https://app.example/cb#x'),
      'invalid_redirect_uri',
      'redirect_uris',
    ],
    [
      'a wildcard redirect URI',
      web('https://*.example.com/cb'),
      'invalid_redirect_uri',
      'redirect_uris',
    ],
    [
      'a javascript: redirect URI',
      web('javascript:alert(1)'),
      'invalid_redirect_uri',
      'redirect_uris',
    ],
    ['a data: redirect URI', web('data:text/html,x'), 'invalid_redirect_uri', 'redirect_uris'],
    [
      'an http logo_uri',
      { ...web(), logo_uri: 'http://app.example/logo.png' },
      'invalid_client_metadata',
      'logo_uri',
    ],
    [
      'an http tos_uri',
      { ...web(), tos_uri: 'http://app.example/tos' },
      'invalid_client_metadata',
      'tos_uri',
    ],
    [
      'a back-channel logout URI with a fragment',
      { ...web(), backchannel_logout_uri: 'https://app.example/logout#x' },
      'invalid_client_metadata',
      'backchannel_logout_uri',
    ],
    [
      'a chosen client_id (B21, mass assignment)',
      { ...web(), client_id: 'existing-user-sub' },
      'invalid_client_metadata',
      'client_id',
    ],
    [
      'a chosen client_secret',
      { ...web(), client_secret: 'guessable' },
      'invalid_client_metadata',
      'client_secret',
    ],
    [
      'an unknown field (mass assignment, A42)',
      { ...web(), is_admin: true },
      'invalid_client_metadata',
      'is_admin',
    ],
    [
      'the implicit grant',
      { ...web(), grant_types: ['implicit'] },
      'invalid_client_metadata',
      'grant_types',
    ],
    [
      'refresh_token without authorization_code',
      { client_name: 'x', grant_types: ['refresh_token'] },
      'invalid_client_metadata',
      'grant_types',
    ],
    [
      'a public client with client_credentials',
      { client_name: 'x', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
      'grant_types',
    ],
    [
      'a native app with a secret',
      {
        client_name: 'x',
        application_type: 'native',
        redirect_uris: ['http://127.0.0.1/cb'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      'invalid_client_metadata',
      'token_endpoint_auth_method',
    ],
    [
      'response_types that do not match the grants',
      { ...web(), response_types: [] },
      'invalid_client_metadata',
      'response_types',
    ],
    [
      'an operator instead of a string (NoSQL injection)',
      { client_name: { $ne: '' }, redirect_uris: ['https://rp.example/cb'] },
      'invalid_client_metadata',
      'client_name',
    ],
    [
      'a scope the server does not offer',
      { ...web(), scope: 'openid payroll' },
      'invalid_client_metadata',
      'scope',
    ],
  ];

  it.each(cases)('refuses %s', async (_name, body, error, field) => {
    const before = await countClients();
    const res = await f.api('POST', '/clients', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(error);
    expect(res.body.details).toHaveProperty(field);
    expect(String(res.body.error_description)).toContain(`${field}:`);
    expect(await countClients()).toBe(before);
  });
});

describe('updating, rotating and deleting clients', () => {
  it('patches a client (merge patch) and refuses a patch that breaks a rule without changing anything', async () => {
    const created = await createClient({ ...web(), logo_uri: 'https://rp.example/logo.png' });
    const patched = await f.api(
      'PATCH',
      `/clients/${created.client_id}`,
      { redirect_uris: ['https://rp.example/cb', 'https://rp.example/cb2'], logo_uri: null },
      { headers: { 'content-type': 'application/merge-patch+json' } },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.redirect_uris).toEqual(['https://rp.example/cb', 'https://rp.example/cb2']);
    expect(patched.body).not.toHaveProperty('logo_uri');
    expect(patched.body).not.toHaveProperty('client_secret');

    const before = await raw.oidc.find('Client', created.client_id);
    for (const bad of [
      { redirect_uris: ['http://evil.example/cb'] },
      { client_secret: 'mine' },
      { client_id: 'mine' },
      { grant_types: ['password'] },
    ]) {
      const res = await f.api('PATCH', `/clients/${created.client_id}`, bad);
      expect(res.status).toBe(400);
    }
    expect(await raw.oidc.find('Client', created.client_id)).toEqual(before);
  });

  it('replaces a client with PUT, checked by the same rules', async () => {
    const created = await createClient({ ...web(), scope: 'openid profile' });
    const res = await f.api(
      'PUT',
      `/clients/${created.client_id}`,
      web('https://other.example/cb'),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      client_id: created.client_id,
      redirect_uris: ['https://other.example/cb'],
    });
    expect(res.body).not.toHaveProperty('scope');
    const bad = await f.api('PUT', `/clients/${created.client_id}`, {
      redirect_uris: ['https://other.example/cb'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual({ client_name: 'is required' });
  });

  it('rotates a secret: the old one stops working at once, the new one works', async () => {
    const created = await createClient({ client_name: 'svc', grant_types: ['client_credentials'] });
    const old = { clientId: created.client_id, clientSecret: String(created.client_secret) };
    expect(
      (await tokenRequest(f.server.issuer, old, { grant_type: 'client_credentials' })).status,
    ).toBe(200);
    const rotated = await f.api('POST', `/clients/${created.client_id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const fresh = { clientId: created.client_id, clientSecret: String(rotated.body.client_secret) };
    expect(fresh.clientSecret).not.toBe(old.clientSecret);
    expect(
      (await tokenRequest(f.server.issuer, old, { grant_type: 'client_credentials' })).status,
    ).toBe(401);
    expect(
      (await tokenRequest(f.server.issuer, fresh, { grant_type: 'client_credentials' })).status,
    ).toBe(200);
    expect((await f.api('GET', `/clients/${created.client_id}`)).body).not.toHaveProperty(
      'client_secret',
    );
  });

  it('refuses to rotate the secret of a client without one (409)', async () => {
    const spa = await createClient({ ...web(), token_endpoint_auth_method: 'none' });
    const res = await f.api('POST', `/clients/${spa.client_id}/rotate-secret`);
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('no_client_secret');
  });
});

describe('clients made through the API, used by relying parties and APIs', () => {
  it('signs a user in with code + PKCE and grants client credentials at once; a deleted client stops working at once', async () => {
    const api = await createClient({
      client_name: 'Orders API',
      grant_types: ['client_credentials'],
      resource_server: true,
    });
    const apiRp = await f.server.rp(api.client_id, String(api.client_secret));
    const app = await createClient({ ...web(), scope: 'openid profile email offline_access' });
    const rp = await f.server.rp(app.client_id, String(app.client_secret));
    const user = await f.server.createUser();

    const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, 'https://rp.example/cb');
    expect(tokens.claims()).toMatchObject({ sub: user.id, aud: app.client_id });
    expect(await oidc.tokenIntrospection(apiRp, tokens.access_token)).toMatchObject({
      active: true,
      client_id: app.client_id,
    });
    const serviceToken = await oidc.clientCredentialsGrant(apiRp);
    expect(serviceToken.access_token).toEqual(expect.any(String));

    expect((await f.api('DELETE', `/clients/${app.client_id}`)).status).toBe(204);
    expect((await f.api('GET', `/clients/${app.client_id}`)).status).toBe(404);
    const refresh = await tokenRequest(
      f.server.issuer,
      { clientId: app.client_id, clientSecret: String(app.client_secret) },
      {
        grant_type: 'refresh_token',
        refresh_token: tokens.refresh_token ?? '',
      },
    );
    expect(refresh.status).toBe(401);
    expect(refresh.body.error).toBe('invalid_client');
    expect(await oidc.tokenIntrospection(apiRp, tokens.access_token)).toMatchObject({
      active: false,
    });
    expect((await f.api('DELETE', `/clients/${app.client_id}`)).status).toBe(404);
  });

  it('registers a private_key_jwt client whose signed assertions the token endpoint accepts', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const created = await createClient({
      client_name: 'Signed caller',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    });
    expect(created).not.toHaveProperty('client_secret');
    const config = await oidc.discovery(
      new URL(f.server.issuer),
      created.client_id,
      undefined,
      oidc.PrivateKeyJwt({ key: privateKey, kid: 'k1' }),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toEqual(expect.any(String));

    const leaked = await f.api('POST', '/clients', {
      client_name: 'x',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [await jose.exportJWK(privateKey)] },
    });
    expect(leaked.status).toBe(400);
    expect(leaked.body.details).toMatchObject({
      jwks: expect.stringContaining('public keys only'),
    });
  });
});

describe('the audit log of client changes', () => {
  it('records who, what, when and from where for every write', async () => {
    const requestId = 'audit-test-request-1';
    const created = await f.api('POST', '/clients', web(), {
      headers: { 'user-agent': 'admin-script/1.0', 'x-request-id': requestId },
    });
    const id = String(created.body.client_id);
    await f.api('PATCH', `/clients/${id}`, { client_name: 'Renamed' });
    await f.api('POST', `/clients/${id}/rotate-secret`);
    await f.api('DELETE', `/clients/${id}`);

    const log = await f.api('GET', `/audit-events?client_id=${id}&type_prefix=admin.`);
    expect(log.status).toBe(200);
    const events = log.body.items as Record<string, unknown>[];
    expect(events.map((e) => e.type)).toEqual([
      'admin.client.deleted',
      'admin.client.secret_rotated',
      'admin.client.updated',
      'admin.client.created',
    ]);
    for (const event of events) {
      expect(event).toMatchObject({
        actor: f.adminClient.clientId,
        client_id: id,
        ip: '127.0.0.1',
        time: expect.any(String),
      });
    }
    const first = events[3];
    expect(first).toMatchObject({ user_agent: 'admin-script/1.0', details: { name: 'Web app' } });
    // The server makes its own request ids unless a trusted proxy sends them.
    expect(first?.request_id).toBe(created.headers.get('x-request-id'));
    expect(events[2]?.details).toMatchObject({ method: 'patch', changed: 'client_name' });
    expect(JSON.stringify(events)).not.toContain(String(created.body.client_secret));
  });
});

describe('back-channel logout registered through the admin API (issue 6)', () => {
  it('delivers a signed logout token to the backchannel_logout_uri an admin registered', async () => {
    const receiver = await startBackchannelReceiver();
    // The receiver is on loopback, which the delivery's SSRF guard refuses unless allowed.
    const own = await startAdminServer({ BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS: 'true' });
    try {
      const redirectUri = 'https://rp.example/cb';
      const created = await own.api('POST', '/clients', {
        client_name: 'Mail',
        redirect_uris: [redirectUri],
        backchannel_logout_uri: `${receiver.url}/logout?tenant=a`,
        backchannel_logout_session_required: true,
      });
      expect(created.status).toBe(201);
      const clientId = String(created.body.client_id);
      const read = await own.api('GET', `/clients/${clientId}`);
      expect(read.body).toMatchObject({
        backchannel_logout_uri: `${receiver.url}/logout?tenant=a`,
        backchannel_logout_session_required: true,
      });

      const user = await own.server.createUser();
      const browser = new TestBrowser();
      const rp = await own.server.rp(clientId, String(created.body.client_secret));
      const { tokens } = await signInAndRedeem(browser, rp, user, redirectUri);
      const confirm = await browser.get(`${own.server.issuer}/session/end`);
      const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
      expect(done.status).toBe(303);

      await waitFor(() => receiver.deliveries.length > 0);
      expect(receiver.deliveries.map((d) => d.path)).toEqual(['/logout?tenant=a']);
      const { payload } = await verifyLogoutToken(
        own.server.issuer,
        receiver.deliveries[0]?.token ?? '',
        clientId,
      );
      expect(payload.sub).toBe(user.id);
      // backchannel_logout_session_required: the sid of the session the ID token was issued in.
      expect(payload.sid).toBe(tokens.claims()?.sid);
    } finally {
      await own.server.stop({ graceMs: 100 });
      await receiver.close();
    }
  });
});

describe('POST /admin/v1/clients/reencrypt (the API side of `portcullis client reencrypt`)', () => {
  it('re-encrypts every secret with the newest key, audited, needing admin:clients; the old key can go after', async () => {
    const dir = tempDir('portcullis-admin-reencrypt-');
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const env = { STORE: 'sqlite', DATA_DIR: dir.path };
    try {
      // A client registered while the old key was the only one.
      const before = await startAdminServer({ ...env, CLIENT_SECRET_KEYS: oldKey });
      const made = await before
        .api('POST', '/clients', { client_name: 'Orders', grant_types: ['client_credentials'] })
        .finally(() => before.server.stop({ graceMs: 100 }));
      expect(made.status).toBe(201);
      const client = {
        clientId: String(made.body.client_id),
        clientSecret: String(made.body.client_secret),
      };

      // A new key prepended, the old one kept to read what is stored.
      const rotating = await startAdminServer({
        ...env,
        CLIENT_SECRET_KEYS: `${newKey},${oldKey}`,
      });
      try {
        const reader = await rotating.services.clients.create(
          { client_name: 'reader', grant_types: ['client_credentials'], scope: 'admin:read' },
          { actor: 'cli' },
        );
        const readOnly = await adminToken(
          rotating.server.issuer,
          { clientId: reader.client_id, clientSecret: reader.client_secret ?? '' },
          'admin:read',
        );
        const refused = await rotating.api('POST', '/clients/reencrypt', undefined, {
          token: readOnly,
        });
        expect(refused.status).toBe(403);
        expect(refused.body.error).toBe('insufficient_scope');

        const done = await rotating.api('POST', '/clients/reencrypt');
        expect(done.status).toBe(200);
        // The old server's admin client and "Orders" were under the old key; the rest are new.
        expect(clientsReencryptedSchema.parse(done.body)).toEqual({ clients: 4, reencrypted: 2 });
        const again = await rotating.api('POST', '/clients/reencrypt');
        expect(again.body).toEqual({ clients: 4, reencrypted: 0 });
        const audit = await rotating.api('GET', '/audit-events?type=admin.clients.reencrypted');
        expect(audit.status).toBe(200);
        const entries = audit.body.items as { actor: string; details: Record<string, unknown> }[];
        expect(entries).toHaveLength(2);
        expect(entries.map((e) => e.details)).toEqual([
          { clients: 4, reencrypted: 0 },
          { clients: 4, reencrypted: 2 },
        ]);
        expect(entries[0]?.actor).toBe(rotating.adminClient.clientId);
      } finally {
        await rotating.server.stop({ graceMs: 100 });
      }

      // The old key removed: the client's secret still works.
      const after = await startAdminServer({ ...env, CLIENT_SECRET_KEYS: newKey });
      try {
        const token = await tokenRequest(after.server.issuer, client, {
          grant_type: 'client_credentials',
        });
        expect(token.status).toBe(200);
      } finally {
        await after.server.stop({ graceMs: 100 });
      }
    } finally {
      dir.remove();
    }
  });
});
