/**
 * Hostile and mistaken input to roles, groups, attributes and claim mappings (issue 16): each is
 * refused with a clear 4xx naming what is wrong, and nothing stored changes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROTECTED_CLAIMS } from '../../src/rbac/protected-claims.ts';
import { startAdminServer, type AdminFixture } from './admin-fixtures.ts';

let f: AdminFixture;
let userId: string;

beforeAll(async () => {
  f = await startAdminServer({ CUSTOM_CLAIMS: 'department' });
  userId = (await f.server.createUser()).id;
  await f.api('POST', '/roles', { name: 'known' });
  for (const name of ['outer', 'middle', 'inner']) await f.api('POST', '/groups', { name });
  await f.api('POST', '/groups/outer/members', { group: 'middle' });
  await f.api('POST', '/groups/middle/members', { group: 'inner' });
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

async function snapshot() {
  const access = f.services.access;
  return {
    roles: (await access.roles.list({ limit: 100 })).items.map((r) => r.name),
    groups: await Promise.all(['outer', 'middle', 'inner'].map((g) => access.groups.get(g))),
    user: await access.users.get(userId),
    clients: (await f.services.clients.list({ limit: 100 })).items,
    attributes: await access.attributes.list(),
  };
}

describe('refused with a clear error, changing nothing', () => {
  it('unknown roles, for users and groups', async () => {
    const before = await snapshot();
    for (const path of [`/users/${userId}/roles`, '/groups/inner/roles']) {
      const res = await f.api('POST', path, { role: 'no-such-role' });
      expect({ path, status: res.status, error: res.body.error }).toEqual({
        path,
        status: 400,
        error: 'unknown_role',
      });
      expect(res.body.details).toEqual({ role: 'no role no-such-role' });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a group in itself, or in a group nested inside it (a cycle)', async () => {
    const before = await snapshot();
    const self = await f.api('POST', '/groups/outer/members', { group: 'outer' });
    expect({ status: self.status, error: self.body.error }).toEqual({
      status: 400,
      error: 'group_cycle',
    });
    const cycle = await f.api('POST', '/groups/inner/members', { group: 'outer' });
    expect({ status: cycle.status, error: cycle.body.error }).toEqual({
      status: 400,
      error: 'group_cycle',
    });
    expect(cycle.body.details).toEqual({ group: 'inner is already inside outer' });
    expect(await snapshot()).toEqual(before);
  });

  it('oversized, empty and malformed names', async () => {
    const before = await snapshot();
    for (const name of ['r'.repeat(65), '', '-leading-dash', 'has space', 'ünïcode', 42]) {
      for (const path of ['/roles', '/groups']) {
        const res = await f.api('POST', path, { name });
        expect({ path, name, status: res.status, error: res.body.error }).toEqual({
          path,
          name,
          status: 400,
          error: 'invalid_input',
        });
        expect(Object.keys(res.body.details as object)).toEqual(['name']);
      }
    }
    const long = await f.api('POST', '/roles', { name: 'ok', description: 'd'.repeat(201) });
    expect(long.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('unknown fields, members that do not exist, and both kinds of member at once', async () => {
    const before = await snapshot();
    expect((await f.api('POST', '/roles', { name: 'x', admin: true })).status).toBe(400);
    const extra = await f.api('POST', `/users/${userId}/roles`, { role: 'known', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.details).toEqual({ admin: 'is not a field this operation accepts' });
    const ghost = await f.api('POST', '/groups/inner/members', { user: 'no-such-user' });
    expect({ status: ghost.status, error: ghost.body.error }).toEqual({
      status: 404,
      error: 'not_found',
    });
    const both = await f.api('POST', '/groups/inner/members', { user: userId, group: 'outer' });
    expect(both.status).toBe(400);
    const injection = await f.api('POST', '/groups/inner/members', { user: { $ne: '' } });
    expect(injection.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('claim mappings that would set or overwrite protected claims', async () => {
    const before = await snapshot();
    const targets = ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'acr', 'amr', 'azp', 'auth_time'];
    targets.push('at_hash', 'c_hash', 'sid', 'roles', 'scope');
    for (const claim of targets) {
      expect(PROTECTED_CLAIMS.has(claim)).toBe(true);
      for (const row of [
        { claim, from: 'email' },
        { claim, attribute: 'department' },
      ]) {
        const res = await f.api('POST', '/clients', {
          client_name: 'sneaky',
          redirect_uris: ['https://sneaky.example/cb'],
          claim_mappings: [row],
        });
        expect({ claim, status: res.status, error: res.body.error }).toEqual({
          claim,
          status: 400,
          error: 'invalid_client_metadata',
        });
        expect(JSON.stringify(res.body.details)).toContain('protected claim');
      }
    }
    // A target the server does not release (not in oidc.customClaims) is refused too.
    const unknown = await f.api('POST', '/clients', {
      client_name: 'sneaky',
      redirect_uris: ['https://sneaky.example/cb'],
      claim_mappings: [{ claim: 'favourite_colour', attribute: 'department' }],
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.details)).toContain('oidc.customClaims');
    const malformed = await f.api('POST', '/clients', {
      client_name: 'sneaky',
      redirect_uris: ['https://sneaky.example/cb'],
      visible_roles: ['ok', 'not ok'],
    });
    expect(malformed.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('an existing client cannot be changed to map a protected claim', async () => {
    const created = await f.api('POST', '/clients', {
      client_name: 'honest',
      redirect_uris: ['https://honest.example/cb'],
      claim_mappings: [{ claim: 'department', attribute: 'department' }],
    });
    expect(created.status).toBe(201);
    const before = await snapshot();
    const res = await f.api('PATCH', `/clients/${String(created.body.client_id)}`, {
      claim_mappings: [{ claim: 'sub', attribute: 'department' }],
    });
    expect(res.status).toBe(400);
    expect(await snapshot()).toEqual(before);
  });

  it('dynamic registration (RFC 7591) cannot choose which roles a client sees or map claims', async () => {
    const before = await snapshot();
    for (const extra of [
      { visible_roles: ['*'] },
      { visible_groups: ['*'] },
      { claim_mappings: [{ claim: 'department', attribute: 'department' }] },
    ]) {
      const iat = await f.api('POST', '/initial-access-tokens', {});
      const res = await fetch(`${f.server.issuer}/reg`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${String(iat.body.initial_access_token)}`,
        },
        body: JSON.stringify({
          client_name: 'self-registered',
          redirect_uris: ['https://self.example/cb'],
          ...extra,
        }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect({ extra, status: res.status, error: body.error }).toEqual({
        extra,
        status: 400,
        error: 'invalid_client_metadata',
      });
      expect(String(body.error_description)).toContain('is granted by an administrator');
    }
    expect((await snapshot()).clients).toEqual(before.clients);
  });

  it('attributes named like protocol claims, and values of the wrong type', async () => {
    expect((await f.api('POST', '/attributes', { name: 'level', type: 'number' })).status).toBe(
      201,
    );
    const before = await snapshot();
    const sub = await f.api('POST', '/attributes', { name: 'sub', type: 'string' });
    expect({ status: sub.status, error: sub.body.error }).toEqual({
      status: 400,
      error: 'protected_claim',
    });
    expect((await f.api('POST', '/attributes', { name: 'x', type: 'object' })).status).toBe(400);
    const wrong = await f.api('PATCH', `/users/${userId}/attributes`, {
      level: 'high',
      undefined_one: 'x',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.details).toEqual({
      level: 'must be a number',
      undefined_one: 'is not a defined attribute',
    });
    expect(await snapshot()).toEqual(before);
  });
});
