/** The pure parts of issue 16: role visibility, claim mapping, API role scopes, admin scopes. */
import { describe, expect, it } from '@jest/globals';
import { grantedAdminScopes } from '../../src/admin/require-admin-token.ts';
import { allowedByRoles, resourceServerInfo } from '../../src/oidc/resource-indicators.ts';
import { applyClaimMappings, claimMappingsProblem } from '../../src/rbac/claim-mappings.ts';
import { visibleNames } from '../../src/rbac/visible-names.ts';
import type { ResourceServerRecord } from '../../src/storage/ports.ts';

describe('visible roles and groups', () => {
  const roles = ['orders-reader', 'orders-writer', 'billing-admin', 'support'];

  it('shows nothing without a list, exact names, prefixes ending in *, or all with *', () => {
    expect(visibleNames(roles, undefined)).toEqual([]);
    expect(visibleNames(roles, [])).toEqual([]);
    expect(visibleNames(roles, ['support'])).toEqual(['support']);
    expect(visibleNames(roles, ['orders-*'])).toEqual(['orders-reader', 'orders-writer']);
    expect(visibleNames(roles, ['*'])).toEqual(roles);
  });

  it('never treats a name as a pattern: "orders" is not "orders-reader"', () => {
    expect(visibleNames(roles, ['orders', 'orders-read'])).toEqual([]);
    expect(visibleNames(roles, 'orders-*')).toEqual([]);
  });
});

describe('claim mapping', () => {
  const claims = { sub: 'u1', email: 'a@example.com', name: 'A' };

  it('releases attributes and renames claims, the original leaving with the rename', () => {
    const table = [
      { claim: 'department', attribute: 'department' },
      { claim: 'mail', from: 'email' },
    ];
    expect(applyClaimMappings(claims, { department: 'Logistics' }, table, 'id_token')).toEqual({
      sub: 'u1',
      name: 'A',
      mail: 'a@example.com',
      department: 'Logistics',
    });
  });

  it('honours `in`: a row for userinfo only adds nothing to the ID token', () => {
    const table = [{ claim: 'mail', from: 'email', in: ['userinfo'] }];
    expect(applyClaimMappings(claims, {}, table, 'id_token')).toEqual({ sub: 'u1', name: 'A' });
    expect(applyClaimMappings(claims, {}, table, 'userinfo')).toEqual({
      sub: 'u1',
      name: 'A',
      mail: 'a@example.com',
    });
  });

  it('a claim mapped to itself chooses where it goes: email at UserInfo, not in the ID token', () => {
    const table = [{ claim: 'email', from: 'email', in: ['userinfo'] }];
    expect(applyClaimMappings(claims, {}, table, 'id_token')).toEqual({ sub: 'u1', name: 'A' });
    expect(applyClaimMappings(claims, {}, table, 'userinfo')).toEqual(claims);
  });

  it('refuses protected targets, unknown targets, duplicates and rows naming both sources', () => {
    const releasable = new Set(['mail', 'department', 'email']);
    for (const claim of ['sub', 'iss', 'aud', 'exp', 'nonce', 'azp', 'at_hash', 'roles']) {
      expect(claimMappingsProblem([{ claim, from: 'email' }], releasable)).toContain(
        'protected claim',
      );
    }
    expect(claimMappingsProblem([{ claim: 'colour', from: 'email' }], releasable)).toContain(
      'oidc.customClaims',
    );
    expect(
      claimMappingsProblem(
        [
          { claim: 'mail', from: 'email' },
          { claim: 'mail', attribute: 'x' },
        ],
        releasable,
      ),
    ).toContain('must not map one claim twice');
    expect(
      claimMappingsProblem([{ claim: 'mail', from: 'email', attribute: 'x' }], releasable),
    ).toContain('exactly one of attribute, from');
    expect(claimMappingsProblem([{ claim: 'mail', from: 'email' }], releasable)).toBeUndefined();
  });

  it('leaves the claims alone when the stored table is not a valid one', () => {
    expect(applyClaimMappings(claims, {}, [{ claim: 'sub', from: 'email' }], 'id_token')).toEqual(
      claims,
    );
  });
});

describe('API scopes granted to roles', () => {
  const api: ResourceServerRecord = {
    id: 'x',
    identifier: 'https://api.example.com/orders',
    name: 'Orders',
    scopes: [
      { name: 'orders:read', description: '' },
      { name: 'orders:write', description: '' },
    ],
    tokenFormat: 'jwt',
    accessTokenTtlSeconds: undefined,
    signingAlg: 'ES256',
    introspectionClientIds: [],
    clientCredentialsGrants: [{ clientId: 'worker', scopes: ['orders:write'] }],
    roleScopes: [
      { role: 'orders-reader', scopes: ['orders:read'] },
      { role: 'orders-writer', scopes: ['orders:read', 'orders:write'] },
    ],
    createdAt: 0,
    updatedAt: 0,
  };

  it('gives a user only the scopes their roles allow, none without a role', () => {
    expect(resourceServerInfo(api, undefined, ['orders-reader']).scope).toBe('orders:read');
    expect(resourceServerInfo(api, undefined, ['orders-writer']).scope).toBe(
      'orders:read orders:write',
    );
    expect(resourceServerInfo(api, undefined, []).scope).toBe('');
    expect(resourceServerInfo(api, undefined, ['unrelated']).scope).toBe('');
  });

  it('keeps every scope for users of an API without role scopes, and client credentials as granted', () => {
    const open = { ...api, roleScopes: undefined };
    expect(allowedByRoles(open, [])).toBeUndefined();
    expect(resourceServerInfo(open, undefined, []).scope).toBe('orders:read orders:write');
    expect(resourceServerInfo(api, 'worker', []).scope).toBe('orders:write');
  });
});

describe('admin scopes a token holds', () => {
  it('expands admin to all, keeps only scopes the client still holds', () => {
    expect([...grantedAdminScopes(new Set(['admin']), 'admin')].sort()).toEqual([
      'admin:clients',
      'admin:keys',
      'admin:read',
      'admin:users',
    ]);
    expect([...grantedAdminScopes(new Set(['admin:read', 'admin:users']), 'admin:read')]).toEqual([
      'admin:read',
    ]);
    expect(grantedAdminScopes(new Set(['admin']), 'admin:read').size).toBe(0);
    expect(grantedAdminScopes(new Set(['openid']), 'openid').size).toBe(0);
  });
});
