import { describe, expect, it } from '@jest/globals';
import { createResourceServerDirectory } from '../../src/resources/resource-server-directory.ts';
import {
  createResourceServerService,
  type ResourceServerService,
} from '../../src/resources/resource-server-service.ts';
import { createMemoryStore } from '../../src/storage/memory/create-memory-store.ts';
import type { ResourceServerStore, Store } from '../../src/storage/ports.ts';

const limits = { signingAlgorithms: ['ES256'], maxAccessTokenTtlSeconds: 3600 };

/** The real memory port, counting how often it is read (to show what the cache saves). */
function counted(inner: ResourceServerStore) {
  const calls = { version: 0, list: 0 };
  const store: ResourceServerStore = {
    ...inner,
    version: () => {
      calls.version += 1;
      return inner.version();
    },
    list: (options) => {
      calls.list += 1;
      return inner.list(options);
    },
  };
  return { store, calls };
}

async function setup(): Promise<{ store: Store; admin: ResourceServerService }> {
  const store = createMemoryStore();
  await store.oidc.upsert('Client', 'rs', {
    client_id: 'rs',
    resource_server: true,
    token_endpoint_auth_method: 'client_secret_basic',
  });
  // The admin side has no link to the directory: as if in another process.
  return {
    store,
    admin: createResourceServerService({
      store: store.resourceServers,
      clients: store.oidc,
      limits,
    }),
  };
}

describe('the directory of APIs', () => {
  it('sees an API added, changed and removed elsewhere on the very next lookup (no TTL)', async () => {
    const { store, admin } = await setup();
    const directory = createResourceServerDirectory(store.resourceServers);
    expect((await directory.current()).byIdentifier('urn:x:orders')).toBeUndefined();

    const api = await admin.create({
      identifier: 'urn:x:orders',
      name: 'Orders',
      introspection_client_ids: ['rs'],
    });
    expect((await directory.current()).byIdentifier('urn:x:orders')?.name).toBe('Orders');
    expect([...(await directory.current()).audiencesOf('rs')]).toEqual(['urn:x:orders']);

    await admin.update(api.id, { introspection_client_ids: [] });
    expect((await directory.current()).audiencesOf('rs').size).toBe(0);

    await admin.remove(api.id);
    expect((await directory.current()).byIdentifier('urn:x:orders')).toBeUndefined();
  });

  it('reads only the version tag while nothing changes', async () => {
    const { store, admin } = await setup();
    await admin.create({ identifier: 'urn:x:a', name: 'A' });
    const { store: port, calls } = counted(store.resourceServers);
    const directory = createResourceServerDirectory(port);
    for (let i = 0; i < 5; i += 1) await directory.current();
    expect(calls).toEqual({ version: 5, list: 1 });
    await admin.create({ identifier: 'urn:x:b', name: 'B' });
    await directory.current();
    expect(calls.list).toBe(2);
  });

  it('shares one tag read and one load among lookups made at the same time', async () => {
    const { store, admin } = await setup();
    await admin.create({ identifier: 'urn:x:a', name: 'A' });
    const { store: port, calls } = counted(store.resourceServers);
    const directory = createResourceServerDirectory(port);
    const snapshots = await Promise.all(Array.from({ length: 10 }, () => directory.current()));
    expect(new Set(snapshots).size).toBe(1);
    expect(calls).toEqual({ version: 1, list: 1 });
  });

  it('loads every page of a long list', async () => {
    const { store, admin } = await setup();
    for (let i = 0; i < 130; i += 1)
      await admin.create({ identifier: `urn:x:${String(i).padStart(3, '0')}`, name: `API ${i}` });
    const snapshot = await createResourceServerDirectory(store.resourceServers).current();
    expect(snapshot.byIdentifier('urn:x:000')?.name).toBe('API 0');
    expect(snapshot.byIdentifier('urn:x:129')?.name).toBe('API 129');
  });

  it('fails a lookup while the store is down and recovers with it', async () => {
    const { store, admin } = await setup();
    await admin.create({ identifier: 'urn:x:a', name: 'A' });
    let down = true;
    const port: ResourceServerStore = {
      ...store.resourceServers,
      version: () =>
        down ? Promise.reject(new Error('store down')) : store.resourceServers.version(),
    };
    const directory = createResourceServerDirectory(port);
    await expect(directory.current()).rejects.toThrow('store down');
    down = false;
    expect((await directory.current()).byIdentifier('urn:x:a')?.name).toBe('A');
  });
});
