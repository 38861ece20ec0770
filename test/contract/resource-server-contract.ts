/**
 * The `ResourceServerStore` part of the storage contract (called from store-contract.ts, so it
 * runs on every backend). Same rules: unique data per test, never assume an empty database.
 */
import { describe, it, expect } from '@jest/globals';
import { StoreConflictError } from '../../src/storage/ports.ts';
import type {
  ListOptions,
  ListPage,
  ResourceServerRecord,
  Store,
} from '../../src/storage/ports.ts';

async function conflictField(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof StoreConflictError ? error.field : `not a conflict: ${String(error)}`,
  );
}

async function listAll(
  fetchPage: (options: ListOptions) => Promise<ListPage<ResourceServerRecord>>,
  limit: number,
): Promise<ResourceServerRecord[]> {
  const all: ResourceServerRecord[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const page = await fetchPage({ cursor, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    all.push(...page.items);
    if (page.nextCursor === undefined) return all;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

export function describeResourceServerContract(
  getStore: () => Store,
  uniq: (label: string) => string,
  now: () => number,
): void {
  describe('resource servers', () => {
    const record = (overrides: Partial<ResourceServerRecord> = {}): ResourceServerRecord => {
      const id = uniq('api');
      return {
        id,
        identifier: `https://${id}.example.com/v1`,
        name: 'Orders API',
        scopes: [
          { name: 'orders:read', description: 'Read your orders' },
          { name: 'orders.write', description: 'Place orders' },
        ],
        tokenFormat: 'jwt',
        accessTokenTtlSeconds: 300,
        signingAlg: 'ES256',
        introspectionClientIds: [uniq('client')],
        clientCredentialsGrants: [{ clientId: uniq('client'), scopes: ['orders:read'] }],
        createdAt: now(),
        updatedAt: now(),
        ...overrides,
      };
    };

    it('returns a created record by id and by identifier, equal but never the same object', async () => {
      const api = record();
      await getStore().resourceServers.create(api);
      const byId = await getStore().resourceServers.findById(api.id);
      expect(byId).toEqual(api);
      expect(byId).not.toBe(api);
      expect(await getStore().resourceServers.findByIdentifier(api.identifier)).toEqual(api);
    });

    it('keeps an optional lifetime absent when none was given', async () => {
      const api = record({ accessTokenTtlSeconds: undefined, tokenFormat: 'opaque' });
      await getStore().resourceServers.create(api);
      const found = await getStore().resourceServers.findById(api.id);
      expect(found?.accessTokenTtlSeconds).toBeUndefined();
      expect(found).toEqual(api);
    });

    it('keeps stored state safe from callers mutating what they passed in or got back', async () => {
      const api = record();
      await getStore().resourceServers.create(api);
      api.scopes.push({ name: 'mutated', description: 'input' });
      api.introspectionClientIds.push('mutated-input');
      const first = await getStore().resourceServers.findById(api.id);
      first?.scopes.push({ name: 'mutated', description: 'output' });
      first?.introspectionClientIds.push('mutated-output');
      first?.clientCredentialsGrants[0]?.scopes.push('mutated-output');

      const again = await getStore().resourceServers.findById(api.id);
      expect(again?.scopes.map((s) => s.name)).toEqual(['orders:read', 'orders.write']);
      expect(again?.introspectionClientIds).toHaveLength(1);
      expect(again?.clientCredentialsGrants[0]?.scopes).toEqual(['orders:read']);
    });

    it('refuses a second API with a taken identifier, or a taken id, naming the field', async () => {
      const api = record();
      await getStore().resourceServers.create(api);
      expect(
        await conflictField(
          getStore().resourceServers.create(record({ identifier: api.identifier })),
        ),
      ).toBe('identifier');
      expect(
        await conflictField(getStore().resourceServers.create({ ...record(), id: api.id })),
      ).toBe('id');
    });

    it('returns nothing for a missing id or identifier', async () => {
      expect(await getStore().resourceServers.findById(uniq('missing'))).toBeUndefined();
      expect(
        await getStore().resourceServers.findByIdentifier(`https://${uniq('missing')}.example.com`),
      ).toBeUndefined();
      expect(
        await getStore().resourceServers.update(uniq('missing'), { name: 'x' }, now()),
      ).toBeUndefined();
      expect(await getStore().resourceServers.remove(uniq('missing'))).toBe(false);
    });

    it('applies a patch, keeps the identifier, and clears the lifetime when the patch names it undefined', async () => {
      const api = record();
      await getStore().resourceServers.create(api);
      const later = now() + 5000;
      const updated = await getStore().resourceServers.update(
        api.id,
        {
          name: 'Orders API v2',
          scopes: [{ name: 'orders:admin', description: 'Everything' }],
          tokenFormat: 'opaque',
          accessTokenTtlSeconds: undefined,
          signingAlg: 'RS256',
          introspectionClientIds: [],
          clientCredentialsGrants: [{ clientId: 'worker', scopes: ['orders:admin'] }],
        },
        later,
      );
      const expected: ResourceServerRecord = {
        ...api,
        name: 'Orders API v2',
        scopes: [{ name: 'orders:admin', description: 'Everything' }],
        tokenFormat: 'opaque',
        accessTokenTtlSeconds: undefined,
        signingAlg: 'RS256',
        introspectionClientIds: [],
        clientCredentialsGrants: [{ clientId: 'worker', scopes: ['orders:admin'] }],
        updatedAt: later,
      };
      expect(updated).toEqual(expected);
      expect(await getStore().resourceServers.findById(api.id)).toEqual(expected);
      expect(await getStore().resourceServers.findByIdentifier(api.identifier)).toEqual(expected);

      // A patch that does not name the lifetime leaves it alone.
      await getStore().resourceServers.update(api.id, { accessTokenTtlSeconds: 120 }, later);
      const renamed = await getStore().resourceServers.update(api.id, { name: 'Orders' }, later);
      expect(renamed?.accessTokenTtlSeconds).toBe(120);
    });

    it('removes a record so no read finds it, and frees its identifier', async () => {
      const api = record();
      await getStore().resourceServers.create(api);
      expect(await getStore().resourceServers.remove(api.id)).toBe(true);
      expect(await getStore().resourceServers.findById(api.id)).toBeUndefined();
      expect(await getStore().resourceServers.findByIdentifier(api.identifier)).toBeUndefined();
      await getStore().resourceServers.create(record({ identifier: api.identifier }));
    });

    it('lists by identifier, one page at a time, ending with no empty page', async () => {
      const prefix = uniq('list');
      const ours = ['c', 'a', 'b'].map((letter) =>
        record({ identifier: `urn:${prefix}:${letter}` }),
      );
      for (const api of ours) await getStore().resourceServers.create(api);

      const all = await listAll((options) => getStore().resourceServers.list(options), 2);
      const identifiers = all.map((r) => r.identifier);
      expect(identifiers).toEqual([...identifiers].sort());
      expect(identifiers.filter((i) => i.startsWith(`urn:${prefix}:`))).toEqual([
        `urn:${prefix}:a`,
        `urn:${prefix}:b`,
        `urn:${prefix}:c`,
      ]);
      expect(all.find((r) => r.identifier === `urn:${prefix}:a`)).toEqual(ours[1]);
    });

    it('changes its version tag on every create, update and remove, and never on reads or refused writes', async () => {
      const store = getStore().resourceServers;
      const seen = new Set<string>();
      const tag = async (): Promise<string> => {
        const value = await store.version();
        expect(typeof value).toBe('string');
        return value;
      };
      const api = record();

      const start = await tag();
      seen.add(start);
      expect(await tag()).toBe(start);
      await store.findById(api.id);
      await store.list({ limit: 1 });
      expect(await tag()).toBe(start);

      await store.create(api);
      const created = await tag();
      expect(seen.has(created)).toBe(false);
      seen.add(created);

      await conflictField(store.create(record({ identifier: api.identifier })));
      expect(await tag()).toBe(created);

      await store.update(api.id, { name: 'Renamed' }, now());
      const updated = await tag();
      expect(seen.has(updated)).toBe(false);
      seen.add(updated);

      await store.remove(api.id);
      const removed = await tag();
      expect(seen.has(removed)).toBe(false);

      await store.remove(api.id);
      expect(await tag()).toBe(removed);
    });
  });
}
