import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAdminServer, tokenRequest, type AdminFixture } from './admin-fixtures.ts';

// RFC 7591 dynamic registration and RFC 7592 management (issue 4, item 5): open only with an
// initial access token an admin created, under the same rules as the admin API.

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminServer();
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

async function initialAccessToken(
  body: Record<string, unknown> = {},
): Promise<{ id: string; token: string }> {
  const res = await f.api('POST', '/initial-access-tokens', body);
  expect(res.status).toBe(201);
  return { id: String(res.body.id), token: String(res.body.initial_access_token) };
}

async function register(token: string | undefined, metadata: unknown) {
  const res = await fetch(`${f.server.issuer}/reg`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(metadata),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function manage(method: string, uri: string, token: string, body?: unknown) {
  const res = await fetch(uri, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const APP = { client_name: 'Registered app', redirect_uris: ['https://registered.example/cb'] };

describe('RFC 7591 registration', () => {
  it('is advertised in discovery and refused without an initial access token', async () => {
    const discovery = (await (
      await fetch(`${f.server.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery.registration_endpoint).toBe(`${f.server.issuer}/reg`);
    const res = await register(undefined, APP);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_token');
    expect((await register('not-a-token', APP)).status).toBe(401);
  });

  it('registers a client with an initial access token; the client works at once', async () => {
    const iat = await initialAccessToken();
    const res = await register(iat.token, {
      client_name: 'Worker',
      grant_types: ['client_credentials'],
      contacts: ['ops@example.com'],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      client_name: 'Worker',
      grant_types: ['client_credentials'],
      client_secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      registration_access_token: expect.any(String),
      registration_client_uri: `${f.server.issuer}/reg/${String(res.body.client_id)}`,
    });
    // RFC 7591 §2 `contacts` is kept and answered, never dropped silently (issue 12 item 15).
    expect(res.body.contacts).toEqual(['ops@example.com']);
    const token = await tokenRequest(
      f.server.issuer,
      { clientId: String(res.body.client_id), clientSecret: String(res.body.client_secret) },
      {
        grant_type: 'client_credentials',
      },
    );
    expect(token.status).toBe(200);
    // The secret is encrypted at rest like any other, and the admin API never shows it.
    expect((await f.api('GET', `/clients/${String(res.body.client_id)}`)).body).not.toHaveProperty(
      'client_secret',
    );
  });

  it.each([
    [
      'an http redirect URI',
      { ...APP, redirect_uris: ['http://registered.example/cb'] },
      'invalid_redirect_uri',
      'redirect_uris',
    ],
    [
      'a fragment in a redirect URI',
      { ...APP, redirect_uris: ['https://registered.example/cb#x'] },
      'invalid_redirect_uri',
      'redirect_uris',
    ],
    [
      'an http logo_uri',
      { ...APP, logo_uri: 'http://registered.example/logo.png' },
      'invalid_client_metadata',
      'logo_uri',
    ],
    [
      'a fragment in a back-channel logout URI',
      { ...APP, backchannel_logout_uri: 'https://registered.example/logout#x' },
      'invalid_client_metadata',
      'backchannel_logout_uri',
    ],
    [
      'the implicit grant',
      { ...APP, grant_types: ['implicit'] },
      'invalid_client_metadata',
      'grant_types',
    ],
    [
      'the resource_server privilege',
      { client_name: 'API', grant_types: ['client_credentials'], resource_server: true },
      'invalid_client_metadata',
      'resource_server',
    ],
    [
      'the admin scope',
      { client_name: 'ops', grant_types: ['client_credentials'], scope: 'admin' },
      'invalid_client_metadata',
      'scope',
    ],
    [
      'a public client with client_credentials',
      { client_name: 'x', grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'invalid_client_metadata',
      'grant_types',
    ],
  ])(
    'refuses %s under the admin API rules, registering nothing and spending no use',
    async (_name, metadata, error, field) => {
      const iat = await initialAccessToken({ max_uses: 1 });
      const before = (await f.api('GET', '/clients?limit=100')).body.items as unknown[];
      const res = await register(iat.token, metadata);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(error);
      expect(String(res.body.error_description)).toContain(`${field}:`);
      expect(((await f.api('GET', '/clients?limit=100')).body.items as unknown[]).length).toBe(
        before.length,
      );
      // The refused attempt did not spend the token's single use.
      expect((await register(iat.token, APP)).status).toBe(201);
    },
  );

  it('registers a back-channel logout URI and its sid flag (OIDC Back-Channel Logout 1.0 §2.2)', async () => {
    const iat = await initialAccessToken();
    const res = await register(iat.token, {
      ...APP,
      backchannel_logout_uri: 'https://registered.example/logout?from=op',
      backchannel_logout_session_required: true,
    });
    expect(res.status).toBe(201);
    const expected = {
      backchannel_logout_uri: 'https://registered.example/logout?from=op',
      backchannel_logout_session_required: true,
    };
    expect(res.body).toMatchObject(expected);
    expect((await f.api('GET', `/clients/${String(res.body.client_id)}`)).body).toMatchObject(
      expected,
    );
  });

  it('ignores a client_id or client_secret in the request: the server generates both', async () => {
    const iat = await initialAccessToken();
    const res = await register(iat.token, {
      ...APP,
      client_id: 'chosen-id',
      client_secret: 'chosen-secret',
    });
    expect(res.status).toBe(201);
    expect(res.body.client_id).not.toBe('chosen-id');
    expect(res.body.client_secret).not.toBe('chosen-secret');
  });

  it('honours the use count and the expiry of initial access tokens', async () => {
    const once = await initialAccessToken({ max_uses: 2, description: 'two clients' });
    expect((await register(once.token, APP)).status).toBe(201);
    expect((await register(once.token, APP)).status).toBe(201);
    const spent = await register(once.token, APP);
    expect(spent.status).toBe(401);
    expect(spent.body.error).toBe('invalid_token');

    const listed = (await f.api('GET', '/initial-access-tokens?limit=100')).body.items as Record<
      string,
      unknown
    >[];
    expect(listed.find((t) => t.id === once.id)).toMatchObject({
      max_uses: 2,
      uses: 2,
      description: 'two clients',
      created_by: f.adminClient.clientId,
    });
    expect(JSON.stringify(listed)).not.toContain(once.token);

    const bad = await f.api('POST', '/initial-access-tokens', {
      expires_in: 5,
      max_uses: 0,
      token: 'mine',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toMatchObject({
      expires_in: expect.any(String),
      max_uses: expect.any(String),
      token: expect.any(String),
    });
  });

  it('refuses a revoked initial access token', async () => {
    const iat = await initialAccessToken();
    expect((await f.api('DELETE', `/initial-access-tokens/${iat.id}`)).status).toBe(204);
    expect((await register(iat.token, APP)).status).toBe(401);
    expect((await f.api('DELETE', `/initial-access-tokens/${iat.id}`)).status).toBe(404);
  });
});

describe('RFC 7592 management with the registration access token', () => {
  it('reads, updates (rotating the token, same rules) and deletes a registered client', async () => {
    const iat = await initialAccessToken();
    const created = await register(iat.token, APP);
    const uri = String(created.body.registration_client_uri);
    let rat = String(created.body.registration_access_token);
    const clientId = String(created.body.client_id);

    const read = await manage('GET', uri, rat);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ client_id: clientId, client_name: 'Registered app' });

    const refused = await manage('PUT', uri, rat, {
      ...APP,
      client_id: clientId,
      redirect_uris: ['http://registered.example/cb'],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_redirect_uri');
    const escalate = await manage('PUT', uri, rat, {
      ...APP,
      client_id: clientId,
      resource_server: true,
    });
    expect(escalate.status).toBe(400);

    const updated = await manage('PUT', uri, rat, {
      ...APP,
      client_id: clientId,
      client_name: 'Renamed by itself',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.client_name).toBe('Renamed by itself');
    expect(updated.body.registration_access_token).not.toBe(rat);
    expect((await manage('GET', uri, rat)).status).toBe(401); // the old token was rotated away
    rat = String(updated.body.registration_access_token);

    expect((await manage('DELETE', uri, rat)).status).toBe(204);
    expect((await f.api('GET', `/clients/${clientId}`)).status).toBe(404);
    expect((await manage('GET', uri, rat)).status).toBe(401);
  });

  it('records registrations in the audit log under the token used', async () => {
    const iat = await initialAccessToken();
    const created = await register(iat.token, APP);
    const clientId = String(created.body.client_id);
    await manage(
      'DELETE',
      String(created.body.registration_client_uri),
      String(created.body.registration_access_token),
    );
    const log = await f.api('GET', `/audit-events?client_id=${clientId}&type_prefix=registration.`);
    expect((log.body.items as Record<string, unknown>[]).map((e) => [e.type, e.actor])).toEqual([
      ['registration.client.deleted', 'registration_access_token'],
      ['registration.client.created', `initial_access_token:${iat.id}`],
    ]);
    const issued = await f.api('GET', `/audit-events?type=admin.initial_access_token.created`);
    expect(JSON.stringify(issued.body)).not.toContain(iat.token);
  });
});

describe('RFC 7591 metadata is honoured or refused, never changed silently (issue 12 item 15)', () => {
  it('keeps the ID token and UserInfo algorithms a client registers, and answers them on read (RFC 7592)', async () => {
    const iat = await initialAccessToken();
    const res = await register(iat.token, {
      ...APP,
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'ES256',
      contacts: ['dev@registered.example'],
      default_max_age: 600,
      require_auth_time: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'ES256',
      contacts: ['dev@registered.example'],
      default_max_age: 600,
      require_auth_time: true,
    });
    const read = await manage(
      'GET',
      String(res.body.registration_client_uri),
      String(res.body.registration_access_token),
    );
    expect(read.body).toMatchObject({
      id_token_signed_response_alg: 'RS256',
      userinfo_signed_response_alg: 'ES256',
    });
  });

  it('gives RS256 ID tokens to a client that registered no algorithm (OIDC Registration §2)', async () => {
    const iat = await initialAccessToken();
    const res = await register(iat.token, APP);
    expect(res.status).toBe(201);
    expect(res.body.id_token_signed_response_alg).toBe('RS256');
  });

  it.each([
    ['pairwise subjects', { subject_type: 'pairwise' }, 'subject_type'],
    [
      'encrypted ID tokens',
      { id_token_encrypted_response_alg: 'RSA-OAEP' },
      'id_token_encrypted_response_alg',
    ],
    [
      'front-channel logout',
      { frontchannel_logout_uri: 'https://registered.example/fc' },
      'frontchannel_logout_uri',
    ],
    [
      'an algorithm with no key',
      { id_token_signed_response_alg: 'HS256' },
      'id_token_signed_response_alg',
    ],
    ['a software statement', { software_statement: 'eyJ.x.y' }, 'software_statement'],
  ])(
    'refuses %s with invalid_client_metadata naming the field, and stores nothing',
    async (_what, extra, field) => {
      const iat = await initialAccessToken();
      const before = ((await f.api('GET', '/clients?limit=100')).body.items as unknown[]).length;
      const res = await register(iat.token, { ...APP, ...extra });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_client_metadata');
      expect(String(res.body.error_description)).toContain(field);
      expect(((await f.api('GET', '/clients?limit=100')).body.items as unknown[]).length).toBe(
        before,
      );
    },
  );

  it('accepts the value that means "not used" of a field it does not offer (subject_type public)', async () => {
    const iat = await initialAccessToken();
    const res = await register(iat.token, { ...APP, subject_type: 'public' });
    expect(res.status).toBe(201);
  });
});
