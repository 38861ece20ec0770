/**
 * Issue 16, end to end: roles and groups reach tokens, an API's scopes follow the user's roles,
 * and a client sees only the roles it may know. A real server (sqlite, and MongoDB: FerretDB in
 * CI), the admin API over HTTP
 * for every change, users signing in through the real pages, openid-client as the app.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as oidc from 'openid-client';
import { completeSignIn, startAuthorization } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { tempDir } from '../helpers/test-server.ts';
import { startAdminServer, tokenRequest, type AdminFixture } from './admin-fixtures.ts';
import {
  apiService,
  introspect,
  registerApi,
  type RegisteredApi,
} from './resource-server-setup.ts';

let f: AdminFixture;
const dataDir = tempDir();

function claimsOf(jwt: string): Record<string, unknown> {
  const [, payload = ''] = jwt.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function admin(method: string, path: string, body?: unknown) {
  const res = await f.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/** An app registered through the admin API (so its metadata passes every rule). */
async function registerApp(metadata: Record<string, unknown> = {}) {
  const created = await admin('POST', '/clients', {
    client_name: 'Orders app',
    redirect_uris: ['https://orders-app.example/callback'],
    ...metadata,
  });
  const clientId = String(created.client_id);
  const clientSecret = String(created.client_secret);
  return {
    clientId,
    clientSecret,
    redirectUri: 'https://orders-app.example/callback',
    rp: await f.server.rp(clientId, clientSecret),
  };
}

type App = Awaited<ReturnType<typeof registerApp>>;

/** Signs `user` in to `app` through the pages; returns the consent page seen and the tokens. */
async function signIn(
  app: App,
  user: { username: string; password: string },
  scope: string,
  resource: string,
) {
  const browser = new TestBrowser();
  const auth = await startAuthorization(browser, app.rp, app.redirectUri, { scope, resource });
  const afterLogin = await browser.submit(auth.page, '/login', user);
  expect(afterLogin.status).toBe(303);
  const consent = await browser.follow(afterLogin, app.redirectUri);
  const callback = await completeSignIn(browser, { ...auth, page: consent }, user, app.redirectUri);
  const tokens = await oidc.authorizationCodeGrant(
    app.rp,
    new URL(callback),
    { pkceCodeVerifier: auth.verifier, expectedState: auth.state, expectedNonce: auth.nonce },
    { resource },
  );
  return { consent: consent.text, tokens };
}

let orders: RegisteredApi;
let app: App;

describe.each(['sqlite', 'mongodb'])('on the %s store', (backend) => {
  beforeAll(async () => {
    f = await startAdminServer({
      ...(backend === 'mongodb'
        ? {
            STORE: 'mongodb',
            MONGODB_URI: requireMongoUri(),
            MONGODB_DB: uniqueDatabaseName('rbac_tokens'),
          }
        : { STORE: 'sqlite', DATA_DIR: dataDir.path }),
      CUSTOM_CLAIMS: 'department,mail',
    });
    await admin('POST', '/roles', { name: 'orders-reader', description: 'May read orders' });
    await admin('POST', '/roles', { name: 'orders-writer', description: 'May place orders' });
    await admin('POST', '/roles', { name: 'billing-admin' });
    await admin('POST', '/groups', { name: 'support', description: 'The help desk' });
    await admin('POST', '/groups/support/roles', { role: 'orders-reader' });
    orders = await registerApi(f.server, { format: 'jwt' });
    await apiService(f.server).update(orders.api.id, {
      role_scopes: [
        { role: 'orders-reader', scopes: ['orders:read'] },
        { role: 'orders-writer', scopes: ['orders:read', 'orders:write'] },
      ],
    });
    app = await registerApp({ visible_roles: ['orders-*'], visible_groups: ['*'] });
  });

  afterAll(async () => {
    await f?.server.stop({ graceMs: 100 });
    dataDir.remove();
  });

  describe('a user in group "support" holding "orders-reader" through it', () => {
    it('shows the role in the ID token, userinfo, the API token and its introspection; the API token holds orders:read only', async () => {
      const user = await f.server.createUser();
      await admin('POST', '/groups/support/members', { user: user.id });
      // A role the app may not know about is held but never shown to it.
      await admin('POST', `/users/${user.id}/roles`, { role: 'billing-admin' });

      const { consent, tokens } = await signIn(
        app,
        user,
        'openid offline_access roles groups orders:read orders:write',
        orders.identifier,
      );
      // The consent page says in plain words what the app gets, and lists only the API scope the
      // user's roles allow, though the app asked for both.
      expect(consent).toContain('Your roles (what you are allowed to do)');
      expect(consent).toContain('The groups you belong to');
      expect(consent).toContain('may orders:read');
      expect(consent).not.toContain('may orders:write');

      const id = tokens.claims();
      expect(id?.roles).toEqual(['orders-reader']);
      expect(id?.groups).toEqual(['support']);

      const access = claimsOf(tokens.access_token);
      expect(access.aud).toBe(orders.identifier);
      expect(access.roles).toEqual(['orders-reader']);
      expect(access.groups).toEqual(['support']);
      expect(String(access.scope).split(' ')).toEqual(['orders:read']);

      const introspected = await introspect(f.server, orders.introspector, {
        token: tokens.access_token,
      });
      expect(introspected.body).toMatchObject({ active: true, roles: ['orders-reader'] });
      expect(introspected.body.scope).toBe('orders:read');

      // A token for userinfo (refresh without `resource`, RFC 8707 §2.2) and UserInfo itself.
      const forUserinfo = await oidc.refreshTokenGrant(app.rp, tokens.refresh_token ?? '');
      const info = await oidc.fetchUserInfo(app.rp, forUserinfo.access_token, user.id);
      expect(info.roles).toEqual(['orders-reader']);
      expect(info.groups).toEqual(['support']);
    });

    it('loses the role on the next token once removed from the group', async () => {
      const user = await f.server.createUser();
      await admin('POST', '/groups/support/members', { user: user.id });
      const { tokens } = await signIn(
        app,
        user,
        'openid offline_access roles orders:read',
        orders.identifier,
      );
      expect(claimsOf(tokens.access_token).roles).toEqual(['orders-reader']);

      await admin('DELETE', `/groups/support/members?user=${user.id}`);

      const next = await oidc.refreshTokenGrant(app.rp, tokens.refresh_token ?? '', {
        resource: orders.identifier,
      });
      const access = claimsOf(next.access_token);
      expect(access.roles).toBeUndefined();
      // No role allows any scope of the API any more.
      expect(access.scope).toBeUndefined();
      expect(next.claims()?.roles).toBeUndefined();
    });

    it('a role given later shows in the next token but grants no scope the user did not approve', async () => {
      const user = await f.server.createUser();
      await admin('POST', `/users/${user.id}/roles`, { role: 'orders-reader' });
      const { tokens } = await signIn(
        app,
        user,
        'openid offline_access roles orders:read orders:write',
        orders.identifier,
      );
      expect(claimsOf(tokens.access_token).scope).toBe('orders:read');
      await admin('POST', `/users/${user.id}/roles`, { role: 'orders-writer' });
      const next = await oidc.refreshTokenGrant(app.rp, tokens.refresh_token ?? '', {
        resource: orders.identifier,
      });
      // Consent covered orders:read only: a new role never grants what the user did not approve.
      expect(claimsOf(next.access_token).scope).toBe('orders:read');
      expect(claimsOf(next.access_token).roles).toEqual(['orders-reader', 'orders-writer']);
    });
  });

  describe('the consent page in German', () => {
    it('names roles and groups in plain words', async () => {
      const user = await f.server.createUser();
      const browser = new TestBrowser();
      const auth = await startAuthorization(browser, app.rp, app.redirectUri, {
        scope: 'openid roles groups',
        ui_locales: 'de',
      });
      const afterLogin = await browser.submit(auth.page, '/login', user);
      const consent = await browser.follow(afterLogin, app.redirectUri);
      expect(consent.text).toContain('Ihre Rollen (was Sie tun dürfen)');
      expect(consent.text).toContain('Die Gruppen, zu denen Sie gehören');
    });
  });

  describe('opaque API tokens', () => {
    it('introspect with the roles as issued, also after the user left the group (docs/rbac.md)', async () => {
      const opaque = await registerApi(f.server, { format: 'opaque' });
      await apiService(f.server).update(opaque.api.id, {
        role_scopes: [{ role: 'orders-reader', scopes: ['orders:read'] }],
      });
      const user = await f.server.createUser();
      await admin('POST', '/groups/support/members', { user: user.id });
      const { tokens } = await signIn(
        app,
        user,
        'openid roles orders:read orders:write',
        opaque.identifier,
      );
      const first = await introspect(f.server, opaque.introspector, { token: tokens.access_token });
      expect(first.body).toMatchObject({
        active: true,
        roles: ['orders-reader'],
        scope: 'orders:read',
      });

      await admin('DELETE', `/groups/support/members?user=${user.id}`);
      const again = await introspect(f.server, opaque.introspector, { token: tokens.access_token });
      expect(again.body).toMatchObject({ active: true, roles: ['orders-reader'] });
    });
  });

  describe('a client not allowed to see roles', () => {
    it('gets no roles or groups claim anywhere, though it asks for the scopes', async () => {
      const blind = await registerApp();
      const user = await f.server.createUser();
      await admin('POST', '/groups/support/members', { user: user.id });
      const { tokens } = await signIn(
        blind,
        user,
        'openid offline_access roles groups orders:read',
        orders.identifier,
      );
      expect(tokens.claims()?.roles).toBeUndefined();
      expect(tokens.claims()?.groups).toBeUndefined();
      const access = claimsOf(tokens.access_token);
      expect(access.roles).toBeUndefined();
      // The API permission follows the user's roles, whatever the client may see.
      expect(access.scope).toBe('orders:read');
      const forUserinfo = await oidc.refreshTokenGrant(blind.rp, tokens.refresh_token ?? '');
      const info = await oidc.fetchUserInfo(blind.rp, forUserinfo.access_token, user.id);
      expect(info.roles).toBeUndefined();
      expect(info.groups).toBeUndefined();
    });
  });

  describe('client credentials', () => {
    it('keep getting the scopes an admin granted the client, roles or not', async () => {
      const machine = await f.server.createClient({
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
      await apiService(f.server).grantClientCredentials(orders.api.id, machine.clientId, [
        'orders:write',
      ]);
      const res = await tokenRequest(f.server.issuer, machine, {
        grant_type: 'client_credentials',
        resource: orders.identifier,
        scope: 'orders:write',
      });
      expect(res.status).toBe(200);
      const access = claimsOf(String(res.body.access_token));
      expect(access.scope).toBe('orders:write');
      expect(access.roles).toBeUndefined();
    });
  });

  describe('claim mapping per client', () => {
    it('releases a custom attribute and a renamed email where the table says', async () => {
      await admin('POST', '/attributes', { name: 'department', type: 'string' });
      const mapped = await registerApp({
        claim_mappings: [
          { claim: 'department', attribute: 'department' },
          { claim: 'mail', from: 'email', in: ['userinfo'] },
          // Mapped to itself: `name` goes to UserInfo only, not into the ID token.
          { claim: 'name', from: 'name', in: ['userinfo'] },
        ],
      });
      const user = await f.server.createUser();
      await admin('PATCH', `/users/${user.id}/attributes`, { department: 'Logistics' });
      const { consent, tokens } = await signIn(
        mapped,
        user,
        'openid offline_access profile email orders:read',
        orders.identifier,
      );
      // The consent page names the attribute the app will get.
      expect(consent).toContain('Your ‘department’ information');
      expect(tokens.claims()?.department).toBe('Logistics');
      // Renamed for UserInfo only: the ID token keeps neither name, UserInfo has `mail`.
      expect(tokens.claims()?.mail).toBeUndefined();
      expect(tokens.claims()?.email).toBeUndefined();
      const forUserinfo = await oidc.refreshTokenGrant(mapped.rp, tokens.refresh_token ?? '');
      const info = await oidc.fetchUserInfo(mapped.rp, forUserinfo.access_token, user.id);
      expect(info.mail).toBe(user.email);
      expect(info.email).toBeUndefined();
      expect(info.department).toBe('Logistics');
      expect(tokens.claims()?.name).toBeUndefined();
      expect(tokens.claims()?.preferred_username).toBe(user.username);
      expect(info.name).toBe('Test User');
    });
  });
});
