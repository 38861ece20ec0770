import { beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '../../src/errors/app-error.ts';
import {
  createResourceServerService,
  type ResourceServerService,
} from '../../src/resources/resource-server-service.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';
import type { Store } from '../../src/storage/ports.ts';

// A real memory store: clients are stored as the provider stores them (snake_case metadata).
let store: Store;
let service: ResourceServerService;
let changes: number;

const limits = { signingAlgorithms: ['ES256', 'RS256', 'EdDSA'], maxAccessTokenTtlSeconds: 3600 };

beforeEach(async () => {
  store = createMemoryStore();
  changes = 0;
  service = createResourceServerService({
    store: store.resourceServers,
    clients: store.oidc,
    limits,
    onChange: () => (changes += 1),
  });
  await store.oidc.upsert('Client', 'api-client', {
    client_id: 'api-client',
    resource_server: true,
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  await store.oidc.upsert('Client', 'web-app', {
    client_id: 'web-app',
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
  await store.oidc.upsert('Client', 'worker', {
    client_id: 'worker',
    grant_types: ['client_credentials'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
});

/** The error a call fails with, as `{ code, details }`. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; details: Record<string, string> }> {
  const err = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return { code: (err as AppError).code, details: { ...(err as AppError).details } };
}

const orders = { identifier: 'https://api.example.com/orders', name: 'Orders' };

describe('registering an API', () => {
  it('defaults to RFC 9068 JWT tokens signed with ES256, with the default lifetime and no clients', async () => {
    const api = await service.create(orders);
    expect(api).toMatchObject({
      identifier: orders.identifier,
      name: 'Orders',
      scopes: [],
      token_format: 'jwt',
      signing_alg: 'ES256',
      introspection_client_ids: [],
      client_credentials_grants: [],
    });
    expect(api.access_token_ttl).toBeUndefined();
    expect(api.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(changes).toBe(1);
  });

  it('never gives an API an id a command line would take for an option', async () => {
    // 1 in 64 base64url ids starts with "-": among 300, one would almost surely (99 %).
    for (let i = 0; i < 300; i += 1) {
      const api = await service.create({
        ...orders,
        identifier: `https://api${String(i)}.example.com/`,
      });
      expect(api.id.startsWith('-')).toBe(false);
    }
  });

  it('keeps the identifier exactly as given (compared with what clients send, never normalised)', async () => {
    const api = await service.create({ identifier: 'https://API.example.com', name: 'x' });
    expect(api.identifier).toBe('https://API.example.com');
    expect((await service.get('https://API.example.com')).id).toBe(api.id);
    expect((await service.get(api.id)).identifier).toBe('https://API.example.com');
  });

  it.each([
    ['not a URI', 'orders'],
    ['a fragment', 'https://api.example.com/#x'],
    ['spaces', 'https://api.example.com/a b'],
    ['credentials', 'https://user:pw@api.example.com/'],
  ])('refuses an identifier with %s', async (_what, identifier) => {
    const { code, details } = await failure(service.create({ identifier, name: 'x' }));
    expect(code).toBe('invalid_input');
    expect(details.identifier).toEqual(expect.any(String));
  });

  it('accepts a URN identifier (RFC 8707 asks for an absolute URI, any scheme)', async () => {
    await expect(
      service.create({ identifier: 'urn:example:orders', name: 'x' }),
    ).resolves.toMatchObject({ identifier: 'urn:example:orders' });
  });

  it('refuses a taken identifier with 409 resource_server_exists', async () => {
    await service.create(orders);
    const { code } = await failure(service.create(orders));
    expect(code).toBe('resource_server_exists');
  });

  it("refuses the server's own scope names, repeated scopes and scope names with spaces", async () => {
    for (const scopes of [
      [{ name: 'openid' }],
      [{ name: 'admin' }],
      [{ name: 'a' }, { name: 'a' }],
      [{ name: 'a b' }],
    ]) {
      const { details } = await failure(service.create({ ...orders, scopes }));
      expect(details.scopes).toEqual(expect.any(String));
    }
  });

  it('refuses an algorithm the server has no key for, and a lifetime longer than rotated keys stay published', async () => {
    expect(
      (await failure(service.create({ ...orders, signing_alg: 'PS256' }))).details.signing_alg,
    ).toContain('keys.algorithms');
    expect(
      (await failure(service.create({ ...orders, access_token_ttl: 3601 }))).details
        .access_token_ttl,
    ).toContain('3600');
    expect(
      (await failure(service.create({ ...orders, access_token_ttl: 0 }))).details.access_token_ttl,
    ).toEqual(expect.any(String));
  });

  it('refuses fields it does not know, by name', async () => {
    expect((await failure(service.create({ ...orders, audience: 'x' }))).details.audience).toBe(
      'is not a field of an API',
    );
  });

  it('links only registered resource-server clients for introspection', async () => {
    await expect(
      service.create({ ...orders, introspection_client_ids: ['api-client'] }),
    ).resolves.toBeDefined();
    for (const [clientId, problem] of [
      ['web-app', 'not registered as a resource server'],
      ['nobody', 'not a registered client'],
    ] as const) {
      const { details } = await failure(
        service.create({
          ...orders,
          identifier: `urn:x:${clientId}`,
          introspection_client_ids: [clientId],
        }),
      );
      expect(details.introspection_client_ids).toContain(problem);
    }
  });

  it('grants client credentials only to clients with that grant, and only scopes the API defines', async () => {
    const scopes = [{ name: 'orders:read' }];
    await expect(
      service.create({
        ...orders,
        scopes,
        client_credentials_grants: [{ client_id: 'worker', scopes: ['orders:read'] }],
      }),
    ).resolves.toBeDefined();
    const cases: [unknown[], string][] = [
      [[{ client_id: 'web-app', scopes: [] }], 'does not use the client_credentials grant'],
      [
        [{ client_id: 'worker', scopes: ['orders:write'] }],
        'orders:write is not a scope of this API',
      ],
      [[{ client_id: 'nobody', scopes: [] }], 'not a registered client'],
    ];
    for (const [grants, problem] of cases) {
      const { details } = await failure(
        service.create({
          ...orders,
          identifier: `urn:x:${problem.length}`,
          scopes,
          client_credentials_grants: grants,
        }),
      );
      expect(details.client_credentials_grants).toContain(problem);
    }
  });
});

describe('changing an API', () => {
  it('applies a merge patch, and null puts the lifetime back to the default', async () => {
    const api = await service.create({
      ...orders,
      access_token_ttl: 600,
      scopes: [{ name: 'orders:read', description: 'Read' }],
    });
    const change = await service.update(api.id, { name: 'Orders v2', token_format: 'opaque' });
    expect(change.changed).toEqual(['name', 'token_format']);
    expect(change.api).toMatchObject({
      name: 'Orders v2',
      token_format: 'opaque',
      access_token_ttl: 600,
      scopes: [{ name: 'orders:read', description: 'Read' }],
    });
    expect(
      (await service.update(api.id, { access_token_ttl: null })).api.access_token_ttl,
    ).toBeUndefined();
    expect(changes).toBe(3);
  });

  it('never changes the identifier', async () => {
    const api = await service.create(orders);
    const { details } = await failure(
      service.update(api.id, { identifier: 'https://other.example.com' }),
    );
    expect(details.identifier).toContain('cannot be changed');
    await expect(
      service.update(api.id, { identifier: orders.identifier, name: 'same id is fine' }),
    ).resolves.toBeDefined();
  });

  it('refuses to drop a scope a client-credentials grant still names', async () => {
    const api = await service.create({
      ...orders,
      scopes: [{ name: 'orders:read' }],
      client_credentials_grants: [{ client_id: 'worker', scopes: ['orders:read'] }],
    });
    const { details } = await failure(service.update(api.id, { scopes: [] }));
    expect(details.client_credentials_grants).toContain('orders:read');
  });

  it('lets a client that was deleted since it was linked be unlinked', async () => {
    const api = await service.create({
      ...orders,
      introspection_client_ids: ['api-client'],
      scopes: [{ name: 's' }],
      client_credentials_grants: [{ client_id: 'worker', scopes: ['s'] }],
    });
    await store.oidc.destroy('Client', 'api-client');
    await store.oidc.destroy('Client', 'worker');
    // Untouched links stay valid in a change of something else...
    await expect(service.update(api.id, { name: 'renamed' })).resolves.toBeDefined();
    // ...and can be removed.
    expect(
      (await service.removeIntrospectionClient(api.id, 'api-client')).api.introspection_client_ids,
    ).toEqual([]);
    expect(
      (await service.revokeClientCredentials(api.id, 'worker')).api.client_credentials_grants,
    ).toEqual([]);
  });

  it('adds, replaces and removes links and grants one at a time', async () => {
    const api = await service.create({ ...orders, scopes: [{ name: 'a' }, { name: 'b' }] });
    expect(
      (await service.addIntrospectionClient(api.id, 'api-client')).api.introspection_client_ids,
    ).toEqual(['api-client']);
    expect((await service.addIntrospectionClient(api.id, 'api-client')).changed).toEqual([]);
    await service.grantClientCredentials(api.id, 'worker', ['a']);
    expect(
      (await service.grantClientCredentials(api.id, 'worker', ['a', 'b'])).api
        .client_credentials_grants,
    ).toEqual([{ client_id: 'worker', scopes: ['a', 'b'] }]);
  });

  it('answers not_found for an unknown API, by id or identifier', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'https://nowhere.example.com', '']) {
      expect((await failure(service.get(id))).code).toBe('not_found');
    }
    expect((await failure(service.remove('https://nowhere.example.com'))).code).toBe('not_found');
  });

  it('removes an API and frees its identifier', async () => {
    const api = await service.create(orders);
    await service.remove(orders.identifier);
    expect((await failure(service.get(api.id))).code).toBe('not_found');
    await expect(service.create(orders)).resolves.toBeDefined();
  });

  it('lists APIs a page at a time, in identifier order', async () => {
    for (const name of ['c', 'a', 'b'])
      await service.create({ identifier: `urn:example:${name}`, name });
    const first = await service.list({ limit: 2 });
    expect(first.items.map((a) => a.name)).toEqual(['a', 'b']);
    const second = await service.list({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((a) => a.name)).toEqual(['c']);
    expect(second.nextCursor).toBeUndefined();
  });
});
