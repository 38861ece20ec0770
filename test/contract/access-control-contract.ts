/**
 * The `AccessControlStore` part of the storage contract (issue 16), and the API role scopes of
 * `ResourceServerStore`; called from store-contract.ts, so it runs on every backend (FerretDB
 * included). Unique data per test, never an empty database assumed.
 */
import { describe, it, expect } from '@jest/globals';
import { StoreConflictError } from '../../src/storage/ports.ts';
import type { ResourceServerRecord, Store } from '../../src/storage/ports.ts';
import type { Principal } from '../../src/storage/access-control-port.ts';

async function conflictField(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) =>
      error instanceof StoreConflictError ? error.field : `not a conflict: ${String(error)}`,
  );
}

export function describeAccessControlContract(
  getStore: () => Store,
  uniq: (label: string) => string,
  now: () => number,
): void {
  describe('access control (roles, groups, attributes)', () => {
    const newRole = async (label = 'role'): Promise<string> => {
      const name = uniq(label);
      await getStore().accessControl.createRole({
        name,
        description: `the ${label}`,
        createdAt: now(),
        updatedAt: now(),
      });
      return name;
    };
    const newGroup = async (label = 'group'): Promise<string> => {
      const name = uniq(label);
      await getStore().accessControl.createGroup({
        name,
        description: '',
        createdAt: now(),
        updatedAt: now(),
      });
      return name;
    };
    const account = (id: string): Principal => ({ kind: 'account', id });
    const group = (id: string): Principal => ({ kind: 'group', id });

    it('creates, finds, updates and refuses a taken role name', async () => {
      const store = getStore().accessControl;
      const name = await newRole();
      expect(await store.findRole(name)).toEqual({
        name,
        description: 'the role',
        createdAt: now(),
        updatedAt: now(),
      });
      expect(
        await conflictField(
          store.createRole({ name, description: 'x', createdAt: now(), updatedAt: now() }),
        ),
      ).toBe('name');
      const updated = await store.updateRole(name, { description: 'changed' }, now() + 1000);
      expect(updated).toEqual({
        name,
        description: 'changed',
        createdAt: now(),
        updatedAt: now() + 1000,
      });
      expect(await store.findRole(name)).toEqual(updated);
      expect(await store.updateRole(uniq('missing'), { description: 'x' }, now())).toBeUndefined();
      expect(await store.findRole(uniq('missing'))).toBeUndefined();
    });

    it('lists roles and groups by name, a page at a time', async () => {
      const store = getStore().accessControl;
      const prefix = uniq('page');
      const names = [`${prefix}-b`, `${prefix}-a`, `${prefix}-c`];
      for (const name of names) {
        await store.createRole({ name, description: '', createdAt: now(), updatedAt: now() });
        await store.createGroup({ name, description: '', createdAt: now(), updatedAt: now() });
      }
      for (const list of [store.listRoles.bind(store), store.listGroups.bind(store)]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10_000; i += 1) {
          const page = await list({ cursor, limit: 2 });
          expect(page.items.length).toBeLessThanOrEqual(2);
          seen.push(...page.items.map((r) => r.name));
          cursor = page.nextCursor;
          if (cursor === undefined) break;
        }
        expect(seen.filter((n) => n.startsWith(prefix))).toEqual([...names].sort());
        expect([...seen].sort()).toEqual(seen);
      }
    });

    it('assigns roles to accounts and groups once, refusing unknown roles and groups', async () => {
      const store = getStore().accessControl;
      const reader = await newRole('reader');
      const writer = await newRole('writer');
      const team = await newGroup();
      const sub = uniq('sub');
      expect(await store.assignRole(writer, account(sub))).toBe(true);
      expect(await store.assignRole(reader, account(sub))).toBe(true);
      // Idempotent: a second assignment is no second row.
      expect(await store.assignRole(reader, account(sub))).toBe(true);
      expect(await store.rolesOf(account(sub))).toEqual([reader, writer].sort());
      expect(await store.assignRole(reader, group(team))).toBe(true);
      expect(await store.rolesOf(group(team))).toEqual([reader]);

      expect(await store.assignRole(uniq('no-role'), account(sub))).toBe(false);
      expect(await store.assignRole(reader, group(uniq('no-group')))).toBe(false);
      expect(await store.rolesOf(account(sub))).toEqual([reader, writer].sort());

      expect(await store.unassignRole(writer, account(sub))).toBe(true);
      expect(await store.unassignRole(writer, account(sub))).toBe(false);
      expect(await store.rolesOf(account(sub))).toEqual([reader]);
    });

    it('removes a role with every assignment of it', async () => {
      const store = getStore().accessControl;
      const role = await newRole();
      const keep = await newRole();
      const team = await newGroup();
      const sub = uniq('sub');
      await store.assignRole(role, account(sub));
      await store.assignRole(keep, account(sub));
      await store.assignRole(role, group(team));
      expect(await store.removeRole(role)).toBe(true);
      expect(await store.removeRole(role)).toBe(false);
      expect(await store.findRole(role)).toBeUndefined();
      expect(await store.rolesOf(account(sub))).toEqual([keep]);
      expect(await store.rolesOf(group(team))).toEqual([]);
      // The name is free again, and the new role starts with no holders.
      await store.createRole({ name: role, description: '', createdAt: now(), updatedAt: now() });
      expect(await store.rolesOf(account(sub))).toEqual([keep]);
    });

    it('keeps group members, accounts then groups, and the groups each member is in', async () => {
      const store = getStore().accessControl;
      const outer = await newGroup('outer');
      const inner = await newGroup('inner');
      const a = uniq('sub-a');
      const b = uniq('sub-b');
      expect(await store.addMember(outer, account(b))).toBe(true);
      expect(await store.addMember(outer, account(a))).toBe(true);
      expect(await store.addMember(outer, account(a))).toBe(true);
      expect(await store.addMember(outer, group(inner))).toBe(true);
      expect(await store.addMember(inner, account(a))).toBe(true);
      expect(await store.listMembers(outer)).toEqual([account(a), account(b), group(inner)]);
      expect(await store.groupsOf(account(a))).toEqual([inner, outer].sort());
      expect(await store.groupsOf(group(inner))).toEqual([outer]);

      expect(await store.removeMember(outer, account(a))).toBe(true);
      expect(await store.removeMember(outer, account(a))).toBe(false);
      expect(await store.groupsOf(account(a))).toEqual([inner]);
    });

    it('refuses members of unknown groups, unknown member groups and a group in itself', async () => {
      const store = getStore().accessControl;
      const team = await newGroup();
      expect(await store.addMember(uniq('no-group'), account(uniq('sub')))).toBe(false);
      expect(await store.addMember(team, group(uniq('no-group')))).toBe(false);
      expect(await store.addMember(team, group(team))).toBe(false);
      expect(await store.listMembers(team)).toEqual([]);
    });

    it('removes a group with its memberships both ways and its role assignments', async () => {
      const store = getStore().accessControl;
      const parent = await newGroup('parent');
      const doomed = await newGroup('doomed');
      const role = await newRole();
      const sub = uniq('sub');
      await store.addMember(parent, group(doomed));
      await store.addMember(doomed, account(sub));
      await store.assignRole(role, group(doomed));
      expect(await store.removeGroup(doomed)).toBe(true);
      expect(await store.removeGroup(doomed)).toBe(false);
      expect(await store.findGroup(doomed)).toBeUndefined();
      expect(await store.listMembers(parent)).toEqual([]);
      expect(await store.groupsOf(account(sub))).toEqual([]);
      expect(await store.rolesOf(group(doomed))).toEqual([]);
      expect(
        await conflictField(
          store.createGroup({ name: parent, description: '', createdAt: now(), updatedAt: now() }),
        ),
      ).toBe('name');
    });

    it('adds concurrent members of one group without losing any', async () => {
      const store = getStore().accessControl;
      const team = await newGroup();
      const subs = Array.from({ length: 12 }, () => uniq('sub'));
      await Promise.all(subs.map((sub) => store.addMember(team, account(sub))));
      expect(await store.listMembers(team)).toEqual(subs.sort().map(account));
    });

    it('never keeps an assignment or membership whose role or group was removed concurrently', async () => {
      const store = getStore().accessControl;
      for (let round = 0; round < 5; round += 1) {
        const role = await newRole();
        const team = await newGroup();
        const subs = Array.from({ length: 4 }, () => uniq('sub'));
        await Promise.all([
          ...subs.map((sub) => store.assignRole(role, account(sub))),
          ...subs.map((sub) => store.addMember(team, account(sub))),
          store.removeRole(role),
          store.removeGroup(team),
        ]);
        for (const sub of subs) {
          expect(await store.rolesOf(account(sub))).toEqual([]);
          expect(await store.groupsOf(account(sub))).toEqual([]);
        }
      }
    });

    it('defines typed attributes once and keeps each account its values', async () => {
      const store = getStore().accessControl;
      const name = uniq('attr').replaceAll('-', '_');
      await store.defineAttribute({ name, type: 'string[]', description: 'x', createdAt: now() });
      expect(
        await conflictField(
          store.defineAttribute({ name, type: 'number', description: '', createdAt: now() }),
        ),
      ).toBe('name');
      expect((await store.listAttributes()).find((a) => a.name === name)).toEqual({
        name,
        type: 'string[]',
        description: 'x',
        createdAt: now(),
      });
      const sub = uniq('sub');
      expect(await store.accountAttributes(sub)).toEqual({});
      await store.setAccountAttributes(sub, { [name]: ['a', 'b'], 'x.y': 3, ok: true }, now());
      expect(await store.accountAttributes(sub)).toEqual({
        [name]: ['a', 'b'],
        'x.y': 3,
        ok: true,
      });
      await store.setAccountAttributes(sub, { ok: false }, now());
      expect(await store.accountAttributes(sub)).toEqual({ ok: false });
      expect(await store.removeAttribute(name)).toBe(true);
      expect(await store.removeAttribute(name)).toBe(false);
    });

    it('keeps an API’s role scopes, absent when none, cleared by an empty list', async () => {
      const id = uniq('api');
      const record: ResourceServerRecord = {
        id,
        identifier: `https://${id}.example.com/`,
        name: 'Orders',
        scopes: [
          { name: 'orders:read', description: 'Read' },
          { name: 'orders:write', description: 'Write' },
        ],
        tokenFormat: 'jwt',
        accessTokenTtlSeconds: undefined,
        signingAlg: 'ES256',
        introspectionClientIds: [],
        clientCredentialsGrants: [],
        createdAt: now(),
        updatedAt: now(),
      };
      const apis = getStore().resourceServers;
      await apis.create(record);
      expect((await apis.findById(id))?.roleScopes).toBeUndefined();
      const roleScopes = [{ role: 'orders-reader', scopes: ['orders:read'] }];
      expect((await apis.update(id, { roleScopes }, now()))?.roleScopes).toEqual(roleScopes);
      expect((await apis.findById(id))?.roleScopes).toEqual(roleScopes);
      await apis.update(id, { name: 'Orders 2' }, now());
      expect((await apis.findByIdentifier(record.identifier))?.roleScopes).toEqual(roleScopes);
      await apis.update(id, { roleScopes: [] }, now());
      expect((await apis.findById(id))?.roleScopes).toBeUndefined();
    });
  });
}
