/**
 * Finer admin authority (issue 16): every operation of the route table refuses a token without
 * its scope with 403 `insufficient_scope` and an RFC 6750 §3.1 challenge naming that scope, and
 * lets through a token holding exactly that scope (or `admin`). Driven from the table, so a route
 * added later is covered without a change here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_ROUTES } from '../../src/admin/admin-routes.ts';
import { buildOpenApiDocument } from '../../src/admin/openapi-document.ts';
import { ADMIN_SUB_SCOPES, type AdminSubScope } from '../../src/oidc/scopes.ts';
import { adminToken, startAdminServer, type AdminFixture } from './admin-fixtures.ts';

let f: AdminFixture;
const tokens = new Map<string, string>();

/** A client-credentials client registered with `scope`, and a token for all of it. */
async function tokenFor(scope: string): Promise<string> {
  const known = tokens.get(scope);
  if (known) return known;
  const client = await f.services.clients.create(
    { client_name: `ops ${scope}`, grant_types: ['client_credentials'], scope },
    { actor: 'cli' },
  );
  const token = await adminToken(
    f.server.issuer,
    { clientId: client.client_id, clientSecret: client.client_secret ?? '' },
    scope,
  );
  tokens.set(scope, token);
  return token;
}

const allBut = (scope: AdminSubScope) => ADMIN_SUB_SCOPES.filter((s) => s !== scope).join(' ');
const concrete = (path: string) => path.replace('{id}', 'no-such-thing');

beforeAll(async () => {
  f = await startAdminServer();
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

describe('admin scopes per operation', () => {
  it('names a scope for every operation of the table, and the OpenAPI document says which', () => {
    const doc = buildOpenApiDocument({ serverUrl: 'x', version: '1' }) as {
      paths: Record<string, Record<string, { security?: unknown; 'x-required-scope'?: unknown }>>;
    };
    for (const route of ADMIN_ROUTES) {
      expect(ADMIN_SUB_SCOPES).toContain(route.scope);
      const operation = doc.paths[route.path]?.[route.method];
      expect({ op: route.operationId, scope: operation?.['x-required-scope'] }).toEqual({
        op: route.operationId,
        scope: route.scope,
      });
      expect(operation?.security).toEqual([
        { adminToken: [route.scope] },
        { adminToken: ['admin'] },
      ]);
    }
  });

  it.each(ADMIN_ROUTES.map((r) => [r.operationId, r] as const))(
    '%s refuses a token holding every admin scope but its own',
    async (_name, route) => {
      const token = await tokenFor(allBut(route.scope));
      const res = await f.api(
        route.method.toUpperCase(),
        concrete(route.path),
        route.request ? {} : undefined,
        { token },
      );
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 403,
        error: 'insufficient_scope',
      });
      expect(res.headers.get('www-authenticate')).toContain(`scope="${route.scope}"`);
      expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    },
  );

  it.each(ADMIN_ROUTES.map((r) => [r.operationId, r] as const))(
    '%s lets a token with just its scope past the scope check',
    async (_name, route) => {
      const token = await tokenFor(route.scope);
      // Reads of nothing answer 404 or 200, bad bodies 400: anything but an authority refusal.
      // Writes that would change real data are not sent: the ids below exist nowhere.
      const res = await f.api(
        route.method.toUpperCase(),
        concrete(route.path),
        route.request ? {} : undefined,
        { token },
      );
      expect({ op: route.operationId, status: res.status }).not.toEqual({
        op: route.operationId,
        status: 403,
      });
      expect(res.status).not.toBe(401);
    },
  );

  it('refuses a token with no admin scope at all, and lets `admin` do everything', async () => {
    const client = await f.server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'openid',
    });
    const none = await adminToken(f.server.issuer, client, '');
    const res = await f.api('GET', '/users', undefined, { token: none });
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('insufficient_scope');
    expect((await f.api('GET', '/keys')).status).toBe(200);
  });

  it('a help-desk token (admin:read admin:users) manages roles but not clients or keys', async () => {
    const token = await tokenFor('admin:read admin:users');
    expect((await f.api('POST', '/roles', { name: 'helpdesk-made' }, { token })).status).toBe(201);
    expect((await f.api('GET', '/clients', undefined, { token })).status).toBe(200);
    expect(
      (await f.api('POST', '/clients', { client_name: 'x', redirect_uris: [] }, { token })).status,
    ).toBe(403);
    expect((await f.api('POST', '/keys/rotate', undefined, { token })).status).toBe(403);
    // The refused writes changed nothing.
    expect(
      (await f.services.clients.list({ limit: 100 })).items.map((c) => c.client_name),
    ).not.toContain('x');
  });
});
