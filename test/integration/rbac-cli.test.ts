/**
 * `portcullis role …`, `group …`, `user roles …`, `attribute …`, `user attributes …`,
 * `api update --role-scope` and the client options of issue 16, against a real sqlite store:
 * what they change is what the admin API would change, checked and audited alike.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCliInProcess } from '../helpers/run-cli-in-process.ts';
import { startTestServer, tempDir, unique, type TestServer } from '../helpers/test-server.ts';

const dataDir = tempDir('portcullis-rbac-cli-');
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir.path });
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
  dataDir.remove();
});

const cli = (argv: string[]) =>
  runCliInProcess(argv, { STORE: 'sqlite', DATA_DIR: dataDir.path, NODE_ENV: 'test' });

async function json<T>(argv: string[]): Promise<T> {
  const run = await cli([...argv, '--json']);
  if (run.code !== 0)
    throw new Error(`portcullis ${argv.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface Access {
  roles: string[];
  groups: string[];
  effective_roles: string[];
  effective_groups: string[];
  attributes: Record<string, unknown>;
}

describe('portcullis role, group and user roles', () => {
  it('builds the worked example of docs/rbac.md and refuses what is wrong', async () => {
    const user = await server.createUser();
    expect(
      (await cli(['role', 'add', 'orders-reader', '--description', 'May read orders'])).code,
    ).toBe(0);
    const again = await cli(['role', 'add', 'orders-reader']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a role named orders-reader already exists');

    expect((await cli(['group', 'add', 'support'])).code).toBe(0);
    const group = await json<{ roles: string[]; members: { users: string[] } }>([
      'group',
      'update',
      'support',
      '--add-user',
      user.username,
      '--add-role',
      'orders-reader',
    ]);
    expect(group).toMatchObject({ roles: ['orders-reader'], members: { users: [user.id] } });

    const access = await json<Access>(['user', 'roles', user.username]);
    expect(access).toMatchObject({
      roles: [],
      groups: ['support'],
      effective_roles: ['orders-reader'],
      effective_groups: ['support'],
    });

    const self = await cli(['group', 'update', 'support', '--add-group', 'support']);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('a group cannot be a member of itself');
    const ghost = await cli(['user', 'roles', user.username, '--add', 'no-such-role']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toContain('no role no-such-role');
    const long = await cli(['role', 'add', 'r'.repeat(65)]);
    expect(long.code).toBe(1);
    expect(long.stderr).toContain('at most 64 characters');

    // Audited as the CLI's user.
    const events = await server.services.store.events.list(
      { typePrefix: 'admin.group.' },
      { limit: 10 },
    );
    expect(events.items.map((e) => e.type)).toEqual(
      expect.arrayContaining(['admin.group.created', 'admin.group.member_added']),
    );
    expect(events.items[0]?.actor).toMatch(/^cli/);

    // Taking the role away: the user holds nothing any more.
    expect((await cli(['role', 'remove', 'orders-reader'])).code).toBe(0);
    expect((await json<Access>(['user', 'roles', user.username])).effective_roles).toEqual([]);
  });

  it('grants an API scope to a role with api update --role-scope, refusing unknown roles and scopes', async () => {
    await cli(['role', 'add', 'orders-writer']);
    const api = await json<{ id: string }>([
      'api',
      'add',
      '--identifier',
      `https://${unique('orders')}.example.com/`,
      '--name',
      'Orders',
      '--scope',
      'orders:read Read your orders',
      '--scope',
      'orders:write Place orders',
    ]);
    const updated = await json<{ role_scopes: unknown }>([
      'api',
      'update',
      api.id,
      '--role-scope',
      'orders-writer orders:read orders:write',
    ]);
    expect(updated.role_scopes).toEqual([
      { role: 'orders-writer', scopes: ['orders:read', 'orders:write'] },
    ]);
    const unknownRole = await cli(['api', 'update', api.id, '--role-scope', 'ghost orders:read']);
    expect(unknownRole.code).toBe(1);
    expect(unknownRole.stderr).toContain('ghost is not a role');
    const unknownScope = await cli([
      'api',
      'update',
      api.id,
      '--role-scope',
      'orders-writer orders:delete',
    ]);
    expect(unknownScope.code).toBe(1);
    expect(unknownScope.stderr).toContain('orders:delete is not a scope of this API');
    const shown = await cli(['api', 'show', api.id]);
    expect(shown.stdout).toContain('orders-writer  orders:read orders:write');
    const removed = await json<{ role_scopes?: unknown }>([
      'api',
      'update',
      api.id,
      '--remove-role-scope',
      'orders-writer',
    ]);
    expect(removed.role_scopes).toBeUndefined();
  });

  it('sets which roles a client may see and custom attributes on users', async () => {
    const client = await json<{ client_id: string; visible_roles: string[] }>([
      'client',
      'add',
      '--name',
      'Orders app',
      '--redirect-uri',
      'https://orders.example/cb',
      '--visible-roles',
      'orders-*,support',
    ]);
    expect(client.visible_roles).toEqual(['orders-*', 'support']);
    const refused = await cli([
      'client',
      'add',
      '--name',
      'Sneaky',
      '--redirect-uri',
      'https://sneaky.example/cb',
      '--claim-mappings',
      '[{"claim":"sub","from":"email"}]',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('protected claim');

    expect((await cli(['attribute', 'define', 'level', '--type', 'number'])).code).toBe(0);
    const user = await server.createUser();
    const set = await json<Access>(['user', 'attributes', user.username, '--set', 'level=3']);
    expect(set.attributes).toEqual({ level: 3 });
    const wrong = await cli(['user', 'attributes', user.username, '--set', 'level=high']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('must be a number');
    expect((await json<Access>(['user', 'attributes', user.username])).attributes).toEqual({
      level: 3,
    });
  });
});
