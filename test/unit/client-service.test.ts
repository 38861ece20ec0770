import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { JWKS } from 'oidc-provider';
import { createClientService, type ClientService } from '../../src/clients/client-service.ts';
import { generateClientId } from '../../src/clients/generate-client-credentials.ts';
import { providerClientValidator } from '../../src/clients/provider-client-validator.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createProvider, type Provider } from '../../src/oidc/create-provider.ts';
import { createFindAccount } from '../../src/oidc/find-account.ts';
import { toProviderJwks } from '../../src/oidc/signing-keys.ts';
import { openServices, type Services } from '../../src/open-services.ts';

// A real memory store and a real provider built from the test configuration: the engine's own
// validation runs on every client, as in the server and the CLI.
let services: Services;
let provider: Provider;

beforeAll(async () => {
  const loaded = loadConfig({ NODE_ENV: 'test', STORE: 'memory' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  services = await openServices(loaded.config, createLogger({ level: 'silent' }));
  provider = createProvider({
    config: services.config,
    log: services.log,
    oidcStore: services.store.oidc,
    findAccount: createFindAccount(services.accounts),
    jwks: toProviderJwks(await services.store.keys.list(), Date.now()) as JWKS,
    cookieKeys: services.cookieKeys,
    pages: { async logoutSource() {}, async postLogoutSuccessSource() {}, async renderError() {} },
  });
});

afterAll(async () => {
  await services.close();
});

function service(options: { allowHttpLoopbackForWebClients?: boolean } = {}): ClientService {
  return createClientService({
    store: services.store.oidc,
    validate: providerClientValidator(provider),
    allowHttpLoopbackForWebClients: options.allowHttpLoopbackForWebClients ?? false,
  });
}

async function countClients(): Promise<number> {
  return (await services.store.oidc.list('Client', { limit: 1000 })).items.length;
}

/** The AppError `create` throws, checking that nothing was stored meanwhile. */
async function refusal(input: unknown, clients = service()): Promise<AppError> {
  const before = await countClients();
  const err = await clients.create(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(await countClients()).toBe(before);
  return err as AppError;
}

const web = (redirectUri: string) => ({ client_name: 'Web app', redirect_uris: [redirectUri] });

describe('client service: what it stores and returns', () => {
  it('generates a dot-free client_id and a 32-byte secret, and shows the secret only on creation', async () => {
    const clients = service();
    const created = await clients.create(web('https://app.example.com/callback'));
    expect(created.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.client_secret ?? '', 'base64url')).toHaveLength(32);
    expect(created).toMatchObject({
      client_name: 'Web app',
      application_type: 'web',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['https://app.example.com/callback'],
      resource_server: false,
      client_secret_expires_at: 0,
    });

    const shown = await clients.get(created.client_id);
    expect(shown).not.toHaveProperty('client_secret');
    const { client_secret: _secret, ...withoutSecret } = created;
    expect(shown).toEqual(withoutSecret);
    const listed = (await clients.list({ limit: 100 })).items.find(
      (c) => c.client_id === created.client_id,
    );
    expect(listed).toBeDefined();
    expect(JSON.stringify((await clients.list({ limit: 100 })).items)).not.toContain(
      created.client_secret,
    );

    // The provider needs the secret to check client_secret_basic: it is stored.
    expect((await services.store.oidc.find('Client', created.client_id))?.client_secret).toBe(
      created.client_secret,
    );
  });

  it('stores clients the provider loads as they were registered', async () => {
    const created = await service().create({
      client_name: 'Loaded',
      redirect_uris: ['https://loaded.example.com/cb'],
      post_logout_redirect_uris: ['https://loaded.example.com/bye'],
      scope: 'openid profile email',
    });
    const client = await provider.Client.find(created.client_id);
    expect(client?.metadata()).toMatchObject({
      client_id: created.client_id,
      redirect_uris: ['https://loaded.example.com/cb'],
      post_logout_redirect_uris: ['https://loaded.example.com/bye'],
      scope: 'openid profile email',
    });
  });

  it('gives every client a different id and secret', async () => {
    const a = await service().create(web('https://a.example.com/cb'));
    const b = await service().create(web('https://a.example.com/cb'));
    expect(a.client_id).not.toBe(b.client_id);
    expect(a.client_secret).not.toBe(b.client_secret);
  });

  it('registers a client-credentials API with no redirect URIs and no response types', async () => {
    const api = await service().create({
      client_name: 'Orders API',
      grant_types: ['client_credentials'],
      resource_server: true,
    });
    expect(api).toMatchObject({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      resource_server: true,
    });
    expect(api.client_secret).toBeDefined();
    expect((await provider.Client.find(api.client_id))?.metadata()).toMatchObject({
      resource_server: true,
    });
  });

  it('gives public and native clients no secret', async () => {
    const spa = await service().create({
      ...web('https://spa.example.com/cb'),
      token_endpoint_auth_method: 'none',
    });
    expect(spa.client_secret).toBeUndefined();
    expect(spa).not.toHaveProperty('client_secret_expires_at');
    const native = await service().create({
      client_name: 'CLI',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/cb'],
    });
    expect(native.client_secret).toBeUndefined();
    expect(native.token_endpoint_auth_method).toBe('none');
    expect(await services.store.oidc.find('Client', native.client_id)).not.toHaveProperty(
      'client_secret',
    );
  });

  it('removes a client, after which it is not found', async () => {
    const clients = service();
    const created = await clients.create(web('https://gone.example.com/cb'));
    await clients.remove(created.client_id);
    expect(await provider.Client.find(created.client_id)).toBeUndefined();
    await expect(clients.get(created.client_id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(clients.remove(created.client_id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('clamps the page size to 1..100', async () => {
    const clients = service();
    while ((await countClients()) < 101) await clients.create(web('https://many.example.com/cb'));
    const one = await clients.list({ limit: 0 });
    expect(one.items).toHaveLength(1);
    expect(one.nextCursor).toBeDefined();
    const capped = await clients.list({ limit: 10_000 });
    expect(capped.items).toHaveLength(100);
    const next = await clients.list({ limit: 100, cursor: capped.nextCursor });
    expect(next.items.length).toBeGreaterThan(0);
    expect(next.items[0]?.client_id).not.toBe(capped.items[0]?.client_id);
  });
});

describe('client service: input it refuses, storing nothing', () => {
  it('refuses a client_id or client_secret chosen by the caller', async () => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      client_id: 'mine',
      client_secret: 'guessable',
    });
    expect(err.code).toBe('invalid_client_metadata');
    expect(err.details).toMatchObject({
      client_id: expect.stringContaining('generated by the server'),
      client_secret: expect.any(String),
    });
  });

  it('refuses fields it does not know (no mass assignment)', async () => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      sector_identifier_uri: 'https://x.example.com',
      registration_access_token: 'mine',
      __proto__admin: true,
    });
    expect(Object.keys(err.details ?? {})).toEqual(
      expect.arrayContaining([
        'sector_identifier_uri',
        'registration_access_token',
        '__proto__admin',
      ]),
    );
  });

  it('requires a name', async () => {
    const err = await refusal({ redirect_uris: ['https://app.example.com/cb'] });
    expect(err.details).toEqual({ client_name: 'is required' });
  });

  it.each([
    ['http://evil.example/cb', 'must use https'],
    ['http://localhost:3000/cb', 'outside production'],
    ['https://app.example.com/cb#frag', 'fragment'],
    ['https://app.example.com/cb#', 'fragment'],
    ['https://*.example.com/cb', 'wildcards'],
    ['https://app.example.com/*', 'wildcards'],
    ['javascript:alert(1)', 'javascript: scheme'],
    ['JavaScript:alert(1)', 'javascript: scheme'],
    ['java\tscript:alert(1)', 'control characters'],
    ['data:text/html,hi', 'data: scheme'],
    ['vbscript:msgbox', 'vbscript: scheme'],
    ['file:///etc/passwd', 'file: scheme'],
    ['https://user:pw@app.example.com/cb', 'user name or password'],
    ['/relative/cb', 'absolute URI'],
    ['com.example.app:/cb', 'must use https'],
  ])('refuses the web redirect URI %s', async (uri, reason) => {
    const err = await refusal(web(uri));
    expect(err.code).toBe('invalid_redirect_uri');
    expect(err.details?.redirect_uris).toContain(reason);
    expect(err.details?.redirect_uris).toContain(JSON.stringify(uri));
  });

  it('allows http on loopback for web clients only when asked to (development)', async () => {
    const dev = service({ allowHttpLoopbackForWebClients: true });
    for (const uri of ['http://localhost:3000/cb', 'http://127.0.0.1:8080/cb', 'http://[::1]/cb']) {
      await expect(dev.create(web(uri))).resolves.toMatchObject({ redirect_uris: [uri] });
    }
    const err = await refusal(web('http://localhost.evil.example/cb'), dev);
    expect(err.details?.redirect_uris).toContain('must use https');
  });

  it.each([
    ['http://127.0.0.1/cb', undefined],
    ['http://[::1]:51000/cb', undefined],
    ['com.example.app:/oauth2redirect', undefined],
    ['https://app.example.com/native-cb', undefined],
    ['http://app.example.com/cb', 'only on loopback'],
    ['https://127.0.0.1/cb', 'must not use a loopback host'],
    ['myapp:/cb', 'reverse domain name'],
    ['javascript:alert(1)', 'javascript: scheme'],
    ['about:blank', 'about: scheme'],
  ])('native redirect URI %s → %s', async (uri, reason) => {
    const input = { client_name: 'Native', application_type: 'native', redirect_uris: [uri] };
    if (reason === undefined) {
      await expect(service().create(input)).resolves.toMatchObject({ redirect_uris: [uri] });
    } else {
      expect((await refusal(input)).details?.redirect_uris).toContain(reason);
    }
  });

  it('applies the redirect rules to post-logout redirect URIs too', async () => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      post_logout_redirect_uris: ['http://evil.example/bye'],
    });
    expect(err.code).toBe('invalid_redirect_uri');
    expect(err.details?.post_logout_redirect_uris).toContain('must use https');
  });

  it('accepts only https logo, client, policy and terms URIs', async () => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      logo_uri: 'http://app.example.com/logo.png',
      client_uri: 'javascript:alert(1)',
      policy_uri: 'https://app.example.com/privacy',
      tos_uri: 'ftp://app.example.com/tos',
    });
    expect(err.code).toBe('invalid_client_metadata');
    expect(err.details).toEqual({
      logo_uri: 'must use https',
      client_uri: 'must use https',
      tos_uri: 'must use https',
    });
  });

  it('accepts an https back-channel logout URI with a query, and stores the sid flag with it', async () => {
    const uri = 'https://app.example.com/backchannel-logout?tenant=a';
    const created = await service().create({
      ...web('https://app.example.com/cb'),
      backchannel_logout_uri: uri,
    });
    expect(created).toMatchObject({
      backchannel_logout_uri: uri,
      backchannel_logout_session_required: false,
    });
    const withSid = await service().create({
      ...web('https://app.example.com/cb'),
      backchannel_logout_uri: uri,
      backchannel_logout_session_required: true,
    });
    expect(withSid.backchannel_logout_session_required).toBe(true);
    // The provider, which sends the logout tokens, reads both fields from the stored client.
    const loaded = await provider.Client.find(withSid.client_id);
    expect(loaded?.backchannelLogoutUri).toBe(uri);
    expect(loaded?.backchannelLogoutSessionRequired).toBe(true);
  });

  it.each([
    ['https://app.example.com/logout#frag', 'must not contain a fragment'],
    ['javascript:alert(1)', 'javascript: scheme'],
    ['data:text/plain,x', 'data: scheme'],
    ['https://user:pw@app.example.com/logout', 'user name or password'],
    ['http://app.example.com/logout', 'must use https'],
    ['http://127.0.0.1:4000/logout', 'only outside production'],
    ['/logout', 'absolute URI'],
  ])('refuses the back-channel logout URI %s under production rules (%s)', async (uri, reason) => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      backchannel_logout_uri: uri,
    });
    expect(err.code).toBe('invalid_client_metadata');
    expect(err.details?.backchannel_logout_uri).toContain(reason);
  });

  it('allows an http back-channel logout URI only on loopback outside production', async () => {
    const dev = service({ allowHttpLoopbackForWebClients: true });
    for (const uri of [
      'http://127.0.0.1:4000/logout',
      'http://localhost/logout',
      'http://[::1]/bc',
    ]) {
      await expect(
        dev.create({ ...web('https://app.example.com/cb'), backchannel_logout_uri: uri }),
      ).resolves.toMatchObject({ backchannel_logout_uri: uri });
    }
    const err = await refusal(
      { ...web('https://app.example.com/cb'), backchannel_logout_uri: 'http://app.example.com/bc' },
      dev,
    );
    expect(err.details?.backchannel_logout_uri).toContain('must use https');
  });

  it('refuses back-channel logout for a client no user signs in to, and the sid flag without a URI', async () => {
    const api = await refusal({
      client_name: 'API',
      grant_types: ['client_credentials'],
      backchannel_logout_uri: 'https://api.example.com/logout',
    });
    expect(api.details?.backchannel_logout_uri).toContain('authorization_code');
    const flagOnly = await refusal({
      ...web('https://app.example.com/cb'),
      backchannel_logout_session_required: true,
    });
    expect(flagOnly.details?.backchannel_logout_session_required).toContain(
      'needs a backchannel_logout_uri',
    );
    const wrongType = await refusal({
      ...web('https://app.example.com/cb'),
      backchannel_logout_uri: 'https://app.example.com/logout',
      backchannel_logout_session_required: 'yes',
    });
    expect(wrongType.details?.backchannel_logout_session_required).toBe('must be true or false');
  });

  it('requires redirect URIs with the authorization_code grant', async () => {
    const err = await refusal({ client_name: 'No redirect' });
    expect(err.details?.redirect_uris).toContain('required');
  });

  it('refuses redirect URIs for a client without the authorization_code grant', async () => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      grant_types: ['client_credentials'],
    });
    expect(err.details?.redirect_uris).toContain('must be empty');
  });

  it('refuses refresh_token without authorization_code', async () => {
    const err = await refusal({
      client_name: 'Odd',
      grant_types: ['client_credentials', 'refresh_token'],
    });
    expect(err.details?.grant_types).toContain('refresh_token needs authorization_code');
  });

  it('refuses grants it does not offer (implicit, password)', async () => {
    const err = await refusal({ ...web('https://app.example.com/cb'), grant_types: ['implicit'] });
    expect(err.details?.grant_types).toContain('must only contain');
    await refusal({ ...web('https://app.example.com/cb'), grant_types: ['password'] });
  });

  it('refuses a public client using client_credentials or acting as a resource server', async () => {
    const cc = await refusal({
      client_name: 'Public CC',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'none',
    });
    expect(cc.details?.grant_types).toContain('RFC 6749 §4.4');
    const rs = await refusal({
      ...web('https://app.example.com/cb'),
      token_endpoint_auth_method: 'none',
      resource_server: true,
    });
    expect(rs.details?.resource_server).toContain('RFC 7662');
  });

  it('refuses a secret for a native app', async () => {
    const err = await refusal({
      client_name: 'Native',
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: ['http://127.0.0.1/cb'],
    });
    expect(err.details?.token_endpoint_auth_method).toContain('RFC 8252 §8.5');
  });

  it('refuses values of the wrong type without reaching the store', async () => {
    const err = await refusal({
      client_name: { $ne: '' },
      redirect_uris: 'https://app.example.com/cb',
      resource_server: 'yes',
    });
    expect(err.details).toMatchObject({
      client_name: 'must be a string',
      redirect_uris: 'must be a list of URIs',
      resource_server: 'must be true or false',
    });
  });

  it("reports the engine's own objections against the field they concern", async () => {
    // Our schema knows the algorithms; which ones have keys here is the engine's call.
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      id_token_signed_response_alg: 'PS256',
    });
    expect(err.code).toBe('invalid_client_metadata');
    expect(Object.keys(err.details ?? {})).toEqual(['id_token_signed_response_alg']);
  });

  it('refuses a scope the server does not define, saying which scopes it defines', async () => {
    const err = await refusal({ ...web('https://app.example.com/cb'), scope: 'openid payroll' });
    expect(err.code).toBe('invalid_client_metadata');
    expect(err.details?.scope).toMatch(
      /^payroll is not a scope this server defines \(it defines openid, /,
    );
  });

  it('refuses a malformed scope list', async () => {
    const err = await refusal({ ...web('https://app.example.com/cb'), scope: 'openid  "profile"' });
    expect(err.details?.scope).toContain('RFC 6749 §3.3');
  });

  it('answers not_found for ids that cannot exist without looking them up', async () => {
    await expect(service().get('../../etc')).rejects.toMatchObject({ code: 'not_found' });
    await expect(service().get('')).rejects.toMatchObject({ code: 'not_found' });
  });
});

// An EC P-256 public key (RFC 7517 Appendix A.1); the private `d` is added where a test needs it.
const PUBLIC_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4',
  y: '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM',
  kid: 'k1',
};

describe('client service: private_key_jwt, the admin scope and response_types', () => {
  it('registers a private_key_jwt client with public keys and no secret', async () => {
    const created = await service().create({
      client_name: 'Signed API caller',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [PUBLIC_JWK] },
    });
    expect(created.client_secret).toBeUndefined();
    expect(created).toMatchObject({
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [PUBLIC_JWK] },
    });
    // The engine accepted it (`validate` ran before it was stored); it is used end to end in
    // test/integration/admin-api-clients.test.ts.
    expect(await services.store.oidc.find('Client', created.client_id)).not.toHaveProperty(
      'client_secret',
    );
  });

  it('refuses private_key_jwt without keys, with both jwks and jwks_uri, or with private key material', async () => {
    const base = {
      client_name: 'Signed',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
    };
    expect((await refusal(base)).details?.jwks).toContain('jwks_uri is required');
    expect(
      (
        await refusal({
          ...base,
          jwks: { keys: [PUBLIC_JWK] },
          jwks_uri: 'https://keys.example.com/jwks',
        })
      ).details?.jwks_uri,
    ).toContain('not be given together');
    expect(
      (await refusal({ ...base, jwks: { keys: [{ ...PUBLIC_JWK, d: 'x' }] } })).details?.jwks,
    ).toContain('public keys only');
    expect(
      (await refusal({ ...base, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } })).details?.jwks,
    ).toContain('public keys only');
    expect(
      (await refusal({ ...base, jwks_uri: 'http://keys.example.com/jwks' })).details?.jwks_uri,
    ).toBe('must use https');
  });

  it('refuses keys for a client that does not use private_key_jwt', async () => {
    const err = await refusal({
      ...web('https://app.example.com/cb'),
      jwks: { keys: [PUBLIC_JWK] },
    });
    expect(err.details?.jwks).toContain('only with token_endpoint_auth_method private_key_jwt');
  });

  it('gives the admin scope only to clients whose only grant is client_credentials', async () => {
    const ops = await service().create({
      client_name: 'ops',
      grant_types: ['client_credentials'],
      scope: 'admin',
    });
    expect(ops.scope).toBe('admin');
    const err = await refusal({ ...web('https://app.example.com/cb'), scope: 'openid admin' });
    expect(err.details?.scope).toContain('only for clients whose only grant is client_credentials');
  });

  it('accepts response_types only when it matches the grant types', async () => {
    await expect(
      service().create({ ...web('https://app.example.com/cb'), response_types: ['code'] }),
    ).resolves.toMatchObject({
      response_types: ['code'],
    });
    const err = await refusal({
      client_name: 'API',
      grant_types: ['client_credentials'],
      response_types: ['code'],
    });
    expect(err.details?.response_types).toContain('must be []');
  });
});

describe('client service: updates', () => {
  it('patches some fields (null removes one) and checks the result as a whole', async () => {
    const clients = service();
    const created = await clients.create({
      ...web('https://app.example.com/cb'),
      logo_uri: 'https://app.example.com/logo.png',
    });
    const change = await clients.update(created.client_id, {
      redirect_uris: ['https://app.example.com/cb', 'https://app.example.com/cb2'],
      logo_uri: null,
    });
    expect(change.client).toMatchObject({
      client_name: 'Web app',
      redirect_uris: ['https://app.example.com/cb', 'https://app.example.com/cb2'],
    });
    expect(change.client).not.toHaveProperty('logo_uri');
    expect(change.client).not.toHaveProperty('client_secret');
    expect(change.changed).toEqual(['logo_uri', 'redirect_uris']);
    // The secret is kept, not rotated, by an update.
    expect((await services.store.oidc.find('Client', created.client_id))?.client_secret).toBe(
      created.client_secret,
    );
  });

  it('refuses a patch that breaks a rule, naming the field, and changes nothing', async () => {
    const clients = service();
    const created = await clients.create(web('https://app.example.com/cb'));
    const before = await services.store.oidc.find('Client', created.client_id);
    for (const patch of [
      { redirect_uris: ['http://evil.example/cb'] },
      { client_id: 'chosen' },
      { client_secret: 'chosen' },
      { unknown_field: 1 },
      { client_name: null },
      { grant_types: ['client_credentials'] },
    ]) {
      await expect(clients.update(created.client_id, patch)).rejects.toBeInstanceOf(AppError);
    }
    expect(await services.store.oidc.find('Client', created.client_id)).toEqual(before);
  });

  it('removes back-channel logout with a patch that nulls the URI and its flag', async () => {
    const clients = service();
    const created = await clients.create({
      ...web('https://app.example.com/cb'),
      backchannel_logout_uri: 'https://app.example.com/logout',
      backchannel_logout_session_required: true,
    });
    // The flag alone means nothing: removing only the URI is refused, naming the flag.
    await expect(
      clients.update(created.client_id, { backchannel_logout_uri: null }),
    ).rejects.toMatchObject({
      details: { backchannel_logout_session_required: expect.any(String) },
    });
    const change = await clients.update(created.client_id, {
      backchannel_logout_uri: null,
      backchannel_logout_session_required: null,
    });
    expect(change.client).not.toHaveProperty('backchannel_logout_uri');
    expect(change.client).not.toHaveProperty('backchannel_logout_session_required');
    expect(change.changed).toEqual([
      'backchannel_logout_session_required',
      'backchannel_logout_uri',
    ]);
  });

  it('replaces the whole metadata, taking defaults for what is left out', async () => {
    const clients = service();
    const created = await clients.create({
      ...web('https://app.example.com/cb'),
      scope: 'openid profile',
      logo_uri: 'https://app.example.com/l.png',
    });
    const change = await clients.replace(created.client_id, web('https://other.example.com/cb'));
    expect(change.client).toMatchObject({
      client_id: created.client_id,
      redirect_uris: ['https://other.example.com/cb'],
    });
    expect(change.client).not.toHaveProperty('scope');
    expect(change.client).not.toHaveProperty('logo_uri');
    expect(change.client.client_id_issued_at).toBe(created.client_id_issued_at);
  });

  it('issues a secret (shown once) when an update turns a public client confidential, and drops it the other way', async () => {
    const clients = service();
    const spa = await clients.create({
      ...web('https://spa.example.com/cb'),
      token_endpoint_auth_method: 'none',
    });
    const confidential = await clients.update(spa.client_id, {
      token_endpoint_auth_method: 'client_secret_post',
    });
    expect(confidential.secretIssued).toBe(true);
    expect(confidential.client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const again = await clients.update(spa.client_id, {
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(again.client.client_secret).toBeUndefined();
    await clients.update(spa.client_id, { token_endpoint_auth_method: 'none' });
    expect(await services.store.oidc.find('Client', spa.client_id)).not.toHaveProperty(
      'client_secret',
    );
  });

  it('rotates a secret: a new one shown once, the old one replaced', async () => {
    const clients = service();
    const created = await clients.create(web('https://app.example.com/cb'));
    const rotated = await clients.rotateSecret(created.client_id);
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    expect((await services.store.oidc.find('Client', created.client_id))?.client_secret).toBe(
      rotated.client_secret,
    );
    const spa = await clients.create({
      ...web('https://spa.example.com/cb'),
      token_endpoint_auth_method: 'none',
    });
    await expect(clients.rotateSecret(spa.client_id)).rejects.toMatchObject({
      code: 'no_client_secret',
    });
  });

  it("deletes a client's tokens and grants with it", async () => {
    const clients = service();
    const created = await clients.create(web('https://app.example.com/cb'));
    const exp = Date.now() + 60_000;
    await services.store.oidc.upsert(
      'AccessToken',
      'at-1',
      { jti: 'at-1', clientId: created.client_id },
      exp,
    );
    await services.store.oidc.upsert(
      'Grant',
      'g-1',
      { jti: 'g-1', clientId: created.client_id },
      exp,
    );
    await services.store.oidc.upsert(
      'AccessToken',
      'at-other',
      { jti: 'at-other', clientId: 'someone-else' },
      exp,
    );
    await clients.remove(created.client_id);
    expect(await services.store.oidc.find('AccessToken', 'at-1')).toBeUndefined();
    expect(await services.store.oidc.find('Grant', 'g-1')).toBeUndefined();
    expect(await services.store.oidc.find('AccessToken', 'at-other')).toBeDefined();
  });
});

describe('client ids', () => {
  it('never start with "-", which a command line would take for an option', () => {
    for (let i = 0; i < 5000; i += 1)
      expect(generateClientId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
