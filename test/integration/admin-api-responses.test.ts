import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { errorSchema } from '../../src/admin/admin-response-schemas.ts';
import { ADMIN_ROUTES, type AdminRoute, type SuccessStatus } from '../../src/admin/admin-routes.ts';
import { errorResponsesOf } from '../../src/admin/openapi-document.ts';
import {
  adminToken,
  startAdminServer,
  type AdminFixture,
  type ApiAnswer,
} from './admin-fixtures.ts';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { tempDir } from '../helpers/test-server.ts';

// The response schemas of the route table (the ones the OpenAPI document is generated from)
// against what the real server answers: every operation is driven over HTTP, each answer is
// parsed with the table's schema for its status (closed shapes are strict, so a field too many
// or too few fails), and each error answer must carry a code the table lists for that
// operation and status. The last test checks every operation's success answers were seen.
// On each backend: what a store hands back (a stray `_id`, a missing field) would show here.

let f: AdminFixture;
const seen = new Set<string>();

function routeOf(operationId: string): AdminRoute {
  const route = ADMIN_ROUTES.find((r) => r.operationId === operationId);
  if (!route) throw new Error(`no route ${operationId} in the table`);
  return route;
}

/** Parses the answer with the table's schema for its status; answers the body, typed loosely. */
function conforms(operationId: string, res: ApiAnswer): Record<string, unknown> {
  const route = routeOf(operationId);
  seen.add(`${operationId} ${res.status}`);
  const success = route.responses[res.status as SuccessStatus];
  if (success) {
    if (success.schema === undefined) {
      expect({ operationId, status: res.status, text: res.text }).toEqual({
        operationId,
        status: res.status,
        text: '',
      });
    } else {
      const parsed = success.schema.safeParse(res.body);
      expect({ operationId, status: res.status, issues: parsed.error?.issues }).toEqual({
        operationId,
        status: res.status,
        issues: undefined,
      });
    }
    return res.body;
  }
  const codes = errorResponsesOf(route).get(res.status);
  expect({ operationId, status: res.status, documented: codes !== undefined }).toEqual({
    operationId,
    status: res.status,
    documented: true,
  });
  const parsed = errorSchema(codes ?? []).safeParse(res.body);
  expect({ operationId, status: res.status, body: res.body, issues: parsed.error?.issues }).toEqual(
    { operationId, status: res.status, body: res.body, issues: undefined },
  );
  return res.body;
}

async function call(
  operationId: string,
  path: string,
  body?: unknown,
  options?: Parameters<AdminFixture['api']>[3],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await f.api(routeOf(operationId).method.toUpperCase(), path, body, options);
  return { status: res.status, body: conforms(operationId, res) };
}

/** An operation's example body from the table (the one the document shows). */
function example(operationId: string): unknown {
  return routeOf(operationId).request?.example;
}

function storeEnv(store: string, dataDir: string): Record<string, string> {
  if (store === 'sqlite') return { STORE: 'sqlite', DATA_DIR: dataDir };
  if (store === 'mongodb') {
    return {
      STORE: 'mongodb',
      MONGODB_URI: requireMongoUri(),
      MONGODB_DB: uniqueDatabaseName('admin_responses'),
    };
  }
  return { STORE: 'memory' };
}

describe.each(['memory', 'sqlite', 'mongodb'])('on the %s store', (store) => {
  const data = tempDir('portcullis-admin-responses-');
  beforeAll(async () => {
    seen.clear();
    f = await startAdminServer(storeEnv(store, data.path));
  });
  afterAll(async () => {
    await f?.server.stop({ graceMs: 100 });
    data.remove();
  });

  describe('admin API answers match the route table schemas', () => {
    it('clients: create, list, get, update, replace, rotate, delete', async () => {
      const created = await call('createClient', '/clients', example('createClient'));
      expect(created.status).toBe(201);
      const id = String(created.body.client_id);
      expect(created.body.client_secret).toEqual(expect.any(String));

      // Every optional field a client view can carry, so the strict schema sees each of them.
      const full = await call('createClient', '/clients', {
        client_name: 'Every field',
        application_type: 'web',
        redirect_uris: ['https://full.example/cb'],
        post_logout_redirect_uris: ['https://full.example/'],
        backchannel_logout_uri: 'https://full.example/logout',
        backchannel_logout_session_required: false,
        scope: 'openid profile',
        logo_uri: 'https://full.example/logo.png',
        client_uri: 'https://full.example/',
        policy_uri: 'https://full.example/policy',
        tos_uri: 'https://full.example/tos',
        contacts: ['ops@full.example'],
        id_token_signed_response_alg: 'RS256',
        userinfo_signed_response_alg: 'RS256',
        default_max_age: 600,
        require_auth_time: true,
        id_token_claims: 'userinfo',
      });
      expect(full.status).toBe(201);
      expect(full.body).toMatchObject({
        contacts: ['ops@full.example'],
        id_token_claims: 'userinfo',
      });

      expect((await call('listClients', '/clients?limit=100')).status).toBe(200);
      expect((await call('listClients', '/clients?limit=1')).body.next_cursor).toEqual(
        expect.any(String),
      );
      expect((await call('getClient', `/clients/${id}`)).status).toBe(200);
      expect((await call('getClient', `/clients/${String(full.body.client_id)}`)).status).toBe(200);
      expect((await call('updateClient', `/clients/${id}`, example('updateClient'))).status).toBe(
        200,
      );
      const rotated = await call('rotateClientSecret', `/clients/${id}/rotate-secret`);
      expect(rotated.status).toBe(200);
      // Every secret is under the newest key already (one key): nothing to re-encrypt.
      const reencrypted = await call('reencryptClientSecrets', '/clients/reencrypt');
      expect(reencrypted.body).toMatchObject({ reencrypted: 0 });
      expect(rotated.body.client_secret).toEqual(expect.any(String));
      // To private_key_jwt with a JWK set: no secret in the answer, `jwks` in it.
      const replaced = await call('replaceClient', `/clients/${id}`, example('replaceClient'));
      expect(replaced.status).toBe(200);
      expect(replaced.body).toHaveProperty('jwks');
      expect(replaced.body).not.toHaveProperty('client_secret');
      // Back to a secret: this change gives it one, shown in the answer.
      const again = await call('replaceClient', `/clients/${id}`, {
        client_name: 'Orders service',
        grant_types: ['client_credentials'],
      });
      expect(again.body.client_secret).toEqual(expect.any(String));
      expect((await call('deleteClient', `/clients/${id}`)).status).toBe(204);
    });

    it('a client registered through RFC 7591 reads with the same schema', async () => {
      const iat = await call('createInitialAccessToken', '/initial-access-tokens', {});
      const res = await fetch(`${f.server.issuer}/reg`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${String(iat.body.initial_access_token)}`,
        },
        body: JSON.stringify({
          client_name: 'Registered',
          redirect_uris: ['https://registered.example/cb'],
          contacts: ['dev@registered.example'],
        }),
      });
      expect(res.status).toBe(201);
      const { client_id: clientId } = (await res.json()) as { client_id: string };
      // The engine stores its defaults of these with the client (RFC 7591 §3.2.1 answers them).
      expect((await call('getClient', `/clients/${clientId}`)).body).toMatchObject({
        subject_type: 'public',
        require_pushed_authorization_requests: false,
        dpop_bound_access_tokens: false,
      });
    });

    it('users: create, list, get, update, disable, enable, reset the password', async () => {
      const created = await call('createUser', '/users', example('createUser'));
      expect(created.status).toBe(201);
      const id = String(created.body.id);
      const bare = await call('createUser', '/users', {
        username: 'no-email',
        password: 'correct horse battery staple',
      });
      expect(bare.body).not.toHaveProperty('email');

      expect((await call('listUsers', '/users')).status).toBe(200);
      expect((await call('getUser', `/users/${id}`)).status).toBe(200);
      expect((await call('updateUser', `/users/${id}`, example('updateUser'))).status).toBe(200);
      expect((await call('disableUser', `/users/${id}/disable`)).body.disabled).toBe(true);
      expect((await call('enableUser', `/users/${id}/enable`)).body.disabled).toBe(false);
      expect(
        (await call('resetUserPassword', `/users/${id}/password`, example('resetUserPassword')))
          .status,
      ).toBe(200);
      // Second factors (issue 14): listed without credential material, and reset.
      expect((await call('listUserFactors', `/users/${id}/mfa`)).body).toMatchObject({
        totp: 'none',
        passkeys: [],
      });
      expect((await call('resetUserFactors', `/users/${id}/mfa/reset`)).body).toEqual({
        removed: 0,
      });
    });

    it("users' second factors: list, reset (issue 14)", async () => {
      const user = await f.server.createUser();
      const listed = await call('listUserFactors', `/users/${user.id}/mfa`);
      expect(listed.status).toBe(200);
      const reset = await call('resetUserFactors', `/users/${user.id}/mfa/reset`);
      expect(reset.status).toBe(200);
      expect(JSON.stringify(listed.body)).not.toMatch(/secret|hash/i);
    });

    it("users' sessions and grants, links by email, deletion (issue 15)", async () => {
      const user = await f.server.createUser();
      const app = await f.server.createClient();
      const rp = await f.server.rp(app.clientId, app.clientSecret);
      await signInAndRedeem(new TestBrowser(), rp, user, app.redirectUri);
      const sessions = await call('listUserSessions', `/users/${user.id}/sessions`);
      expect(sessions.body.items).toEqual([expect.objectContaining({ clientIds: [app.clientId] })]);
      const grants = await call('listUserGrants', `/users/${user.id}/grants`);
      const [grant] = grants.body.items as { id: string }[];
      expect(
        (await call('revokeUserGrant', `/users/${user.id}/grants/revoke`, { grant_id: grant?.id }))
          .status,
      ).toBe(204);
      expect((await call('endUserSessions', `/users/${user.id}/sessions`)).body.ended).toBe(1);
      for (const [op, path] of [
        ['sendUserVerification', 'verification'],
        ['sendUserResetLink', 'reset-link'],
        ['sendUserInvitation', 'invitation'],
      ] as const)
        expect((await call(op, `/users/${user.id}/${path}`, example(op))).status).toBe(204);
      expect((await call('deleteUser', `/users/${user.id}`)).status).toBe(204);
      expect((await call('getUser', `/users/${user.id}`)).status).toBe(404);
      expect((await call('deleteUser', `/users/${user.id}`)).status).toBe(404);
    });

    it('initial access tokens: create, list, revoke', async () => {
      const created = await call(
        'createInitialAccessToken',
        '/initial-access-tokens',
        example('createInitialAccessToken'),
      );
      expect(created.status).toBe(201);
      // Without a body: no description, no use limit (nulls in the answer).
      expect((await call('createInitialAccessToken', '/initial-access-tokens')).body).toMatchObject(
        {
          max_uses: null,
          description: null,
        },
      );
      expect((await call('listInitialAccessTokens', '/initial-access-tokens')).status).toBe(200);
      expect(
        (
          await call(
            'revokeInitialAccessToken',
            `/initial-access-tokens/${String(created.body.id)}`,
          )
        ).status,
      ).toBe(204);
    });

    it('roles, groups, user access and attributes (issue 16): every operation', async () => {
      const sub = String(
        (
          await call('createUser', '/users', {
            username: 'rbac-user',
            password: 'correct horse battery staple',
          })
        ).body.id,
      );
      expect((await call('createRole', '/roles', example('createRole'))).status).toBe(201);
      expect((await call('listRoles', '/roles')).status).toBe(200);
      expect((await call('getRole', '/roles/orders-reader')).body.name).toBe('orders-reader');
      expect((await call('updateRole', '/roles/orders-reader', example('updateRole'))).status).toBe(
        200,
      );
      expect((await call('createGroup', '/groups', example('createGroup'))).status).toBe(201);
      await call('createGroup', '/groups', { name: 'staff' });
      expect((await call('listGroups', '/groups')).status).toBe(200);
      expect((await call('getGroup', '/groups/support')).status).toBe(200);
      expect((await call('updateGroup', '/groups/support', example('updateGroup'))).status).toBe(
        200,
      );
      const added = await call('addGroupMember', '/groups/support/members', { user: sub });
      expect(added.body.members).toEqual({ users: [sub], groups: [] });
      await call('addGroupMember', '/groups/staff/members', { group: 'support' });
      expect(
        (await call('assignGroupRole', '/groups/staff/roles', { role: 'orders-reader' })).body
          .roles,
      ).toEqual(['orders-reader']);
      const access = await call('getUserAccess', `/users/${sub}/access`);
      expect(access.body).toMatchObject({
        groups: ['support'],
        effective_groups: ['staff', 'support'],
        effective_roles: ['orders-reader'],
      });
      expect(
        (await call('unassignGroupRole', '/groups/staff/roles?role=orders-reader')).body.roles,
      ).toEqual([]);
      expect(
        (await call('removeGroupMember', '/groups/staff/members?group=support')).body.members,
      ).toEqual({ users: [], groups: [] });
      expect(
        (await call('assignUserRole', `/users/${sub}/roles`, { role: 'orders-reader' })).body.roles,
      ).toEqual(['orders-reader']);
      expect(
        (await call('unassignUserRole', `/users/${sub}/roles?role=orders-reader`)).body.roles,
      ).toEqual([]);
      expect(
        (await call('defineAttribute', '/attributes', example('defineAttribute'))).status,
      ).toBe(201);
      await call('defineAttribute', '/attributes', { name: 'cost_centre', type: 'number' });
      expect((await call('listAttributes', '/attributes')).status).toBe(200);
      const attributes = await call('updateUserAttributes', `/users/${sub}/attributes`, {
        department: 'Logistics',
        cost_centre: 42,
      });
      expect(attributes.body.attributes).toEqual({ department: 'Logistics', cost_centre: 42 });
      expect((await call('removeAttribute', '/attributes/cost_centre')).status).toBe(204);
      expect((await call('deleteGroup', '/groups/staff')).status).toBe(204);
      expect((await call('deleteRole', '/roles/orders-reader')).status).toBe(204);
    });

    it('signing keys: list, rotate, prune', async () => {
      const keys = await call('listSigningKeys', '/keys');
      expect((keys.body.items as unknown[]).length).toBeGreaterThan(0);
      const rotated = await call('rotateSigningKeys', '/keys/rotate');
      expect((rotated.body.added as unknown[]).length).toBeGreaterThan(0);
      expect((await call('pruneSigningKeys', '/keys/prune')).body.removed).toEqual([]);
    });

    it('audit events: list, filtered', async () => {
      const all = await call('listAuditEvents', '/audit-events?limit=100');
      expect((all.body.items as unknown[]).length).toBeGreaterThan(5);
      expect((await call('listAuditEvents', '/audit-events?type_prefix=admin.user.')).status).toBe(
        200,
      );
    });
  });

  describe('admin API answers of the outbox and webhooks match the route table schemas', () => {
    it('webhooks: create, list, get, update, rotate the secret, delete', async () => {
      const created = await call('createWebhook', '/webhooks', example('createWebhook'));
      expect(created.status).toBe(201);
      const id = String(created.body.id);
      expect((await call('listWebhooks', '/webhooks')).status).toBe(200);
      expect((await call('getWebhook', `/webhooks/${id}`)).body.id).toBe(id);
      expect(
        (await call('updateWebhook', `/webhooks/${id}`, example('updateWebhook'))).body.events,
      ).toEqual(['*']);
      expect((await call('rotateWebhookSecret', `/webhooks/${id}/rotate-secret`)).status).toBe(200);
      expect((await call('deleteWebhook', `/webhooks/${id}`)).status).toBe(204);
      expect((await call('getWebhook', `/webhooks/${id}`)).status).toBe(404);
    });

    it('deliveries: list, get, retry a dead letter, delete', async () => {
      const { outbox } = f.server.services.store;
      const delivery = (id: string, availableAt: number) => ({
        id,
        kind: 'webhook' as const,
        url: 'https://hooks.example.com/',
        body: '{}',
        contentType: 'application/json',
        target: 'wh_none',
        topic: 'admin.user.created',
        availableAt,
      });
      const stamp = Date.now().toString(36);
      const later = `msg_${stamp}${'a'.repeat(12)}`;
      const now = `msg_${stamp}${'b'.repeat(12)}`;
      await outbox.enqueue([delivery(later, Date.now() + 3_600_000), delivery(now, Date.now())]);
      expect((await call('getDelivery', `/deliveries/${later}`)).body.state).toBe('pending');
      expect((await call('retryDelivery', `/deliveries/${later}/retry`)).status).toBe(409);
      // The server's worker finds no endpoint `wh_none`: a dead letter at once.
      for (let i = 0; i < 100 && (await outbox.find(now))?.state !== 'dead'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const dead = await call('listDeliveries', '/deliveries?state=dead&target=wh_none');
      expect((dead.body.items as { id: string }[]).map((d) => d.id)).toContain(now);
      expect((await call('retryDelivery', `/deliveries/${now}/retry`)).body.state).toBe('pending');
      for (const id of [later, now]) {
        expect((await call('deleteDelivery', `/deliveries/${id}`)).status).toBe(204);
      }
      expect((await call('deleteDelivery', `/deliveries/${later}`)).status).toBe(404);
    });
  });

  describe('admin API user import answers match the route table schemas', () => {
    it('imports: a dry run of the example, a malformed file, a real run and its re-run', async () => {
      const dry = await call('importUsers', '/users/import', example('importUsers'));
      expect(dry.body).toMatchObject({ dry_run: true, rows: 1, created: 0, problems: [] });
      const bad = await call('importUsers', '/users/import', {
        format: 'csv',
        content: 'username,password_hash\nok-user,$2b$04$abcdefghijklmnopqrstuu\n,x\n',
      });
      expect((bad.body.problems as { line: number }[]).map((p) => p.line)).toEqual([2, 3, 3]);
      expect(bad.body.created).toBe(0);
      const name = `imported-${Date.now().toString(36)}`;
      const content = `${JSON.stringify({ username: name, password_hash: '$2b$04$abcdefghijklmnopqrstuuQ1Z0pQqkUJ4dVnOwyKUa4lqBmcx0OB6' })}\n`;
      const first = await call('importUsers', '/users/import', { format: 'jsonl', content });
      expect(first.body).toMatchObject({ created: 1, skipped: 0 });
      const again = await call('importUsers', '/users/import', { format: 'jsonl', content });
      expect(again.body).toMatchObject({ created: 0, skipped: 1 });
      const refused = await call('importUsers', '/users/import', { format: 'xml', content: '' });
      expect(refused.body.error).toBe('invalid_input');
    });
  });

  describe('admin API answers of the CLI parity operations match the route table schemas', () => {
    it('APIs: create, list, get, update, delete', async () => {
      const body = {
        ...(example('createApi') as Record<string, unknown>),
        identifier: `https://orders-${Date.now().toString(36)}.example.com/api`,
      };
      const created = await call('createApi', '/apis', body);
      expect(created.status).toBe(201);
      expect((await call('createApi', '/apis', body)).status).toBe(409);
      const id = String(created.body.id);
      expect((await call('listApis', '/apis')).status).toBe(200);
      expect((await call('getApi', `/apis/${id}`)).body.identifier).toBe(body.identifier);
      expect((await call('updateApi', `/apis/${id}`, example('updateApi'))).body.name).toBe(
        'Orders API v2',
      );
      expect((await call('deleteApi', `/apis/${id}`)).status).toBe(204);
      expect((await call('getApi', `/apis/${id}`)).status).toBe(404);
      const audit = await call('listAuditEvents', '/audit-events?type_prefix=admin.api.');
      expect((audit.body.items as { type: string }[]).map((e) => e.type)).toEqual(
        expect.arrayContaining(['admin.api.created', 'admin.api.updated', 'admin.api.deleted']),
      );
    });

    it('security events: filtered and paged', async () => {
      await call('rotateSigningKeys', '/keys/rotate');
      const events = await call(
        'listSecurityEvents',
        '/security-events?type=admin.keys.rotated&limit=1',
      );
      expect((events.body.items as unknown[]).length).toBe(1);
    });
  });

  describe('admin API error answers match the route table', () => {
    it('400: a bad query, bad client metadata, a bad redirect URI, bad user input, unreadable JSON', async () => {
      expect((await call('listClients', '/clients?limit=lots')).body.error).toBe('invalid_request');
      expect((await call('listAuditEvents', '/audit-events?since=yesterday')).status).toBe(400);
      expect((await call('listUsers', '/users?limit=1&limit=2')).status).toBe(400);
      expect((await call('createClient', '/clients', { client_name: '' })).body.error).toBe(
        'invalid_client_metadata',
      );
      expect(
        (await call('createClient', '/clients', { client_name: 'x', redirect_uris: ['nope'] })).body
          .error,
      ).toBe('invalid_redirect_uri');
      expect((await call('createUser', '/users', { username: 'x' })).body.error).toBe(
        'invalid_input',
      );
      expect(
        (await call('createInitialAccessToken', '/initial-access-tokens', { expires_in: 1 })).body
          .error,
      ).toBe('invalid_input');
      expect(
        (
          await call('createUser', '/users', undefined, {
            raw: '{"username":',
            headers: { 'content-type': 'application/json' },
          })
        ).body.error,
      ).toBe('invalid_body');
    });

    it('401 and 403: no token, a bad token, a token without the admin scope', async () => {
      expect((await call('listClients', '/clients', undefined, { token: null })).body.error).toBe(
        'authentication_required',
      );
      expect((await call('getUser', '/users/x', undefined, { token: 'not-a-token' })).status).toBe(
        401,
      );
      const service = await call('createClient', '/clients', {
        client_name: 'service',
        grant_types: ['client_credentials'],
      });
      const token = await adminToken(
        f.server.issuer,
        {
          clientId: String(service.body.client_id),
          clientSecret: String(service.body.client_secret),
        },
        '',
      );
      expect((await call('listAuditEvents', '/audit-events', undefined, { token })).status).toBe(
        403,
      );
    });

    it('404: unknown clients, users and initial access tokens', async () => {
      for (const [operationId, path] of [
        ['getClient', '/clients/unknown'],
        ['updateClient', '/clients/unknown'],
        ['deleteClient', '/clients/unknown'],
        ['rotateClientSecret', '/clients/unknown/rotate-secret'],
        ['getUser', '/users/unknown'],
        ['disableUser', '/users/unknown/disable'],
        ['revokeInitialAccessToken', '/initial-access-tokens/unknown'],
      ] as const) {
        const body = operationId === 'updateClient' ? { client_name: 'x' } : undefined;
        expect((await call(operationId, path, body)).body.error).toBe('not_found');
      }
    });

    it('409: a client without a secret, a username or email taken', async () => {
      const pub = await call('createClient', '/clients', {
        client_name: 'SPA',
        redirect_uris: ['https://spa.example/cb'],
        token_endpoint_auth_method: 'none',
      });
      expect(
        (await call('rotateClientSecret', `/clients/${String(pub.body.client_id)}/rotate-secret`))
          .body.error,
      ).toBe('no_client_secret');
      const user = {
        username: 'taken',
        email: 'taken@example.com',
        password: 'a long passphrase!',
      };
      expect((await call('createUser', '/users', user)).status).toBe(201);
      expect((await call('createUser', '/users', user)).body.error).toBe('username_taken');
      expect((await call('createUser', '/users', { ...user, username: 'other' })).body.error).toBe(
        'email_taken',
      );
    });

    it('413 and 415: a body too large, a body not JSON', async () => {
      expect(
        (
          await call('createClient', '/clients', undefined, {
            raw: JSON.stringify({ client_name: 'x'.repeat(70 * 1024) }),
            headers: { 'content-type': 'application/json' },
          })
        ).body.error,
      ).toBe('payload_too_large');
      expect(
        (
          await call('updateUser', '/users/x', undefined, {
            raw: 'email=x',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
        ).body.error,
      ).toBe('json_required');
    });
  });

  describe('coverage of the table', () => {
    it('saw every success answer of every operation', () => {
      const expected = ADMIN_ROUTES.flatMap((r) =>
        Object.keys(r.responses).map((status) => `${r.operationId} ${status}`),
      );
      expect(expected.filter((e) => !seen.has(e))).toEqual([]);
    });
  });
});
