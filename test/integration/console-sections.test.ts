import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { signInToConsole, type ConsoleUser } from '../helpers/console-sign-in.ts';
import { parseForms, type Page, type TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, unique, type TestServer } from '../helpers/test-server.ts';

/**
 * The console's sections beyond clients and keys (src/console/routes/, issue 17 "everything the
 * CLI can"): for each, a create → change → delete round trip over HTTP, checked in the store and
 * in the audit log, whose actor is the console user — the same service calls the CLI and the
 * admin API make. Refusals show the service's message and change nothing; a non-admin gets 403.
 */

let server: TestServer;
let admin: ConsoleUser & { id: string };
let browser: TestBrowser;
const actor = () => `console:${admin.username}`;

beforeAll(async () => {
  const name = unique('root');
  // Long enough that no action here asks for a fresh sign-in (console.test.ts tests max_age).
  server = await startTestServer({ CONSOLE_ADMINS: name, CONSOLE_REAUTH_SECONDS: '3600' });
  admin = await server.createUser({ username: name });
  ({ browser } = await signInToConsole(server.issuer, admin));
});
afterAll(async () => {
  await server?.stop({ graceMs: 100 });
});

const get = async (path: string) => {
  const page = await browser.get(`${server.issuer}${path}`);
  expect({ path, status: page.status }).toEqual({ path, status: 200 });
  return page;
};

/** Submits a form of `page` and follows the POST-redirect-GET to the page it lands on. */
async function submit(page: Page, action: string, values: Record<string, string>) {
  const answer = await browser.submit(page, action, values);
  expect({ action, status: answer.status, text: answer.status === 303 ? '' : answer.text }).toEqual(
    { action, status: 303, text: '' },
  );
  const landed = await browser.follow(answer);
  expect(landed.text).toContain('role="status"');
  return landed;
}

/** The audit entries of a type prefix, oldest first, as [type, actor]. */
async function audited(typePrefix: string, match: (d: Record<string, unknown>) => boolean) {
  const events = await server.services.store.events.list({ typePrefix }, { limit: 50 });
  return events.items
    .filter((e) => match({ ...e.details, subject: e.subject }))
    .map((e) => [e.type, e.actor])
    .reverse();
}

const alertOf = (page: Page) => /role="alert">([^<]*)</.exec(page.text)?.[1];

describe('console sections', () => {
  it('creates, describes and deletes a role, audited as the console user', async () => {
    const name = unique('orders-reader');
    const created = await submit(await get('/console/roles'), '/console/roles', {
      name,
      description: 'Reads orders',
    });
    expect(created.url).toContain(`/console/roles/${name}`);
    const updated = await submit(created, `/console/roles/${name}`, { description: 'Reads all' });
    expect((await server.services.store.accessControl.findRole(name))?.description).toBe(
      'Reads all',
    );
    const confirm = await get(`/console/roles/${name}/delete`);
    expect(confirm.text).toContain(name);
    await submit(confirm, `/console/roles/${name}/delete`, {});
    expect(await server.services.store.accessControl.findRole(name)).toBeUndefined();
    expect(await audited('admin.role.', (d) => d.role === name)).toEqual([
      ['admin.role.created', actor()],
      ['admin.role.updated', actor()],
      ['admin.role.deleted', actor()],
    ]);
    expect(updated.status).toBe(200);
  });

  it('shows the rule a bad role name breaks, and stores nothing', async () => {
    const refused = await browser.submit(await get('/console/roles'), '/console/roles', {
      name: 'has spaces',
    });
    expect(refused.status).toBe(400);
    expect(alertOf(refused)).toContain('may hold letters, digits');
    expect(await server.services.store.accessControl.findRole('has spaces')).toBeUndefined();
  });

  it("manages a group's members and roles, then deletes it", async () => {
    const role = unique('support-role');
    const group = unique('support');
    const member = await server.createUser();
    await submit(await get('/console/roles'), '/console/roles', { name: role });
    let page = await submit(await get('/console/groups'), '/console/groups', { name: group });
    page = await submit(page, `/console/groups/${group}/members/add`, { user: member.username });
    page = await submit(page, `/console/groups/${group}/roles/add`, { role });
    expect(page.text).toContain(member.username);
    const access = server.services.store.accessControl;
    expect(await access.listMembers(group)).toEqual([{ kind: 'account', id: member.id }]);
    expect(await access.rolesOf({ kind: 'group', id: group })).toEqual([role]);

    // An unknown user is refused with the service's message, on the group's page.
    const refused = await browser.submit(page, `/console/groups/${group}/members/add`, {
      user: 'nobody-at-all',
    });
    expect(refused.status).toBe(400);
    expect(alertOf(refused)).toContain('nobody-at-all');

    page = await submit(page, `/console/groups/${group}/roles/remove`, { role });
    await submit(page, `/console/groups/${group}/members/remove`, { user: member.username });
    expect(await access.listMembers(group)).toEqual([]);
    await submit(await get(`/console/groups/${group}/delete`), `/groups/${group}/delete`, {});
    expect(await access.findGroup(group)).toBeUndefined();
    expect((await audited('admin.group.', (d) => d.group === group)).map(([t]) => t)).toEqual([
      'admin.group.created',
      'admin.group.member_added',
      'admin.group.role_assigned',
      'admin.group.role_unassigned',
      'admin.group.member_removed',
      'admin.group.deleted',
    ]);
    expect(
      (await audited('admin.group.', (d) => d.group === group)).every(([, a]) => a === actor()),
    ).toBe(true);
  });

  it("defines an attribute, sets a user's value and roles on their page, then removes it", async () => {
    const name = `dept_${unique('a').slice(2, 10).replace(/-/g, '')}`;
    const role = unique('billing');
    const user = await server.createUser();
    await submit(await get('/console/roles'), '/console/roles', { name: role });
    await submit(await get('/console/attributes'), '/console/attributes', {
      name,
      type: 'string[]',
    });
    let page = await get(`/console/users/${user.id}`);
    page = await submit(page, `/users/${user.id}/attributes`, { [`attr_${name}`]: 'a,b' });
    page = await submit(page, `/users/${user.id}/roles/add`, { role });
    const access = server.services.store.accessControl;
    expect(await access.accountAttributes(user.id)).toEqual({ [name]: ['a', 'b'] });
    expect(await access.rolesOf({ kind: 'account', id: user.id })).toEqual([role]);
    page = await submit(page, `/users/${user.id}/roles/remove`, { role });
    expect(await access.rolesOf({ kind: 'account', id: user.id })).toEqual([]);

    await submit(await get(`/console/attributes/${name}/delete`), `/attributes/${name}/delete`, {});
    expect((await access.listAttributes()).some((d) => d.name === name)).toBe(false);
    expect(await audited('admin.attribute.', (d) => d.attribute === name)).toEqual([
      ['admin.attribute.defined', actor()],
      ['admin.attribute.removed', actor()],
    ]);
    expect((await audited('admin.user.', (d) => d.subject === user.id)).map(([t]) => t)).toEqual([
      'admin.user.attributes_updated',
      'admin.user.role_assigned',
      'admin.user.role_unassigned',
    ]);
    expect(page.status).toBe(200);
  });

  it("edits a user's profile as `user update` does, and sends the links by email", async () => {
    const user = await server.createUser();
    let page = await get(`/console/users/${user.id}`);
    page = await submit(page, `/users/${user.id}/profile`, {
      claim_name: 'Ada Lovelace',
      claim_locale: 'en-GB',
      email: `${unique('ada')}@example.com`,
    });
    const stored = await server.services.store.accounts.findById(user.id);
    expect(stored?.claims).toMatchObject({ name: 'Ada Lovelace', locale: 'en-GB' });
    expect(stored?.emailVerified).toBe(false);
    // A bad claim value: the account service's rule, nothing changed.
    const refused = await browser.submit(page, `/users/${user.id}/profile`, {
      claim_locale: 'not a locale!',
    });
    expect(refused.status).toBe(400);
    expect(alertOf(refused)).toContain('BCP 47');
    expect((await server.services.store.accounts.findById(user.id))?.claims).toMatchObject({
      locale: 'en-GB',
    });
    for (const link of ['send-verification', 'send-reset-link', 'invite'])
      page = await submit(page, `/users/${user.id}/${link}`, { lang: 'de' });
    expect((await audited('admin.user.', (d) => d.subject === user.id)).map(([t]) => t)).toEqual([
      'admin.user.updated',
      'admin.user.verification_sent',
      'admin.user.reset_link_sent',
      'admin.user.invitation_sent',
    ]);
  });

  it('imports a file: a dry run names every bad line and imports nothing, then the import', async () => {
    const run = unique('imp');
    const hash = await bcrypt.hash('old secret', 4);
    const upload = async (content: string, dryRun: boolean) => {
      const form = await get('/console/users/import');
      const csrf = parseForms(form.text).find((f) => f.action.endsWith('/users/import'))?.fields
        .csrf;
      const data = new FormData();
      data.set('csrf', csrf ?? '');
      data.set('format', '');
      if (dryRun) data.set('dry_run', 'yes');
      data.set('file', new File([content], 'users.csv', { type: 'text/csv' }));
      const request = new Request('http://x/', { method: 'POST', body: data });
      return browser.request(`${server.issuer}/console/users/import`, {
        method: 'POST',
        body: await request.text(),
        headers: { 'content-type': request.headers.get('content-type') ?? '' },
      });
    };
    const bad = `username,password_hash\n${run}-a,${hash}\n${run} b,${hash}\n${run}-c,md5:abc\n`;
    const checked = await upload(bad, false);
    expect(checked.status).toBe(200);
    expect(checked.text).toMatch(/<td>3<\/td><td>username<\/td>/);
    expect(checked.text).toMatch(/<td>4<\/td><td>password_hash<\/td>/);
    expect(await server.services.store.accounts.findByLogin(`${run}-a`)).toBeUndefined();

    const good = `username,password_hash\n${run}-a,${hash}\n${run}-c,${hash}\n`;
    const dry = await upload(good, true);
    expect(dry.text).toContain('Every line is fine');
    expect(await server.services.store.accounts.findByLogin(`${run}-a`)).toBeUndefined();
    const done = await upload(good, false);
    expect(done.text).toContain('2 users were created.');
    expect(await server.services.store.accounts.findByLogin(`${run}-c`)).toBeDefined();
    expect(await audited('admin.users.imported', () => true)).toContainEqual([
      'admin.users.imported',
      actor(),
    ]);
    // Hostile bodies: a field sent twice is 400, an upload over 8 MiB 413, a multipart body
    // anywhere else 415; none imports anything.
    const csrf =
      parseForms((await get('/console/users/import')).text).find((f) =>
        f.action.endsWith('/users/import'),
      )?.fields.csrf ?? '';
    const part = (name: string, value: string) =>
      `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const multipart = (path: string, body: string) =>
      browser.request(`${server.issuer}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      });
    const twice = await multipart(
      '/console/users/import',
      `${part('csrf', csrf)}${part('format', 'csv')}${part('format', 'jsonl')}--x--\r\n`,
    );
    expect(twice.status).toBe(400);
    const huge = await multipart(
      '/console/users/import',
      `${part('csrf', csrf)}${part('content', 'x'.repeat(9 * 1024 * 1024))}--x--\r\n`,
    );
    expect(huge.status).toBe(413);
    const elsewhere = await multipart('/console/roles', `${part('csrf', csrf)}--x--\r\n`);
    expect(elsewhere.status).toBe(415);
    // No CSRF token, no import.
    const forged = await browser.request(`${server.issuer}/console/users/import`, {
      method: 'POST',
      body: '--x\r\nContent-Disposition: form-data; name="format"\r\n\r\ncsv\r\n--x--\r\n',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(forged.status).toBe(403);
  });

  it('creates a client from JSON metadata and edits every field as `client update` can', async () => {
    const created = await browser.submit(
      await get('/console/clients/new'),
      '/console/clients/json',
      {
        metadata: JSON.stringify({
          client_name: 'Batch job',
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
        }),
      },
    );
    expect(created.status).toBe(200);
    expect(/id="secret"[^>]*value="([^"]+)"/.exec(created.text)?.[1]).toBeDefined();
    const id = /\/console\/clients\/([^/"]+)\/delete/.exec(created.text)?.[1] ?? '';
    const page = await get(`/console/clients/${id}`);
    const shown = JSON.parse(
      (
        /<textarea[^>]*name="metadata"[^>]*>([^<]*)<\/textarea>/.exec(page.text)?.[1] ?? '{}'
      ).replace(/&#34;|&quot;/g, '"'),
    ) as Record<string, unknown>;
    expect(shown).toMatchObject({ client_name: 'Batch job', grant_types: ['client_credentials'] });
    await submit(page, `/console/clients/${id}/metadata`, {
      metadata: JSON.stringify({
        ...shown,
        mfa: 'required',
        logo_uri: 'https://batch.example/l.png',
      }),
    });
    expect(await server.services.store.oidc.find('Client', id)).toMatchObject({
      mfa: 'required',
      logo_uri: 'https://batch.example/l.png',
    });
    const notJson = await browser.submit(page, `/console/clients/${id}/metadata`, {
      metadata: '{ nope',
    });
    expect(notJson.status).toBe(400);
    expect(alertOf(notJson)).toContain('is not valid JSON');
    const refused = await browser.submit(page, `/console/clients/${id}/metadata`, {
      metadata: JSON.stringify({ ...shown, mfa: 'sometimes' }),
    });
    expect(refused.status).toBe(400);
    expect(alertOf(refused)).toContain('mfa');
    const events = await server.services.store.events.list(
      { typePrefix: 'admin.client.', clientId: id },
      { limit: 10 },
    );
    expect(events.items.map((e) => [e.type, e.actor]).reverse()).toEqual([
      ['admin.client.created', actor()],
      ['admin.client.updated', actor()],
    ]);
  });

  it('registers an API, changes its scopes and lifetime, and deletes it', async () => {
    const identifier = `https://api.example.com/${unique('orders')}`;
    let page = await submit(await get('/console/apis/new'), '/console/apis', {
      identifier,
      name: 'Orders',
      token_format: 'jwt',
      scopes: 'orders:read Read your orders\norders:write',
    });
    const id = /\/console\/apis\/([^/?"]+)/.exec(page.url)?.[1] ?? '';
    const store = server.services.store.resourceServers;
    expect((await store.findById(id))?.scopes.map((s) => s.name)).toEqual([
      'orders:read',
      'orders:write',
    ]);
    page = await submit(page, `/console/apis/${id}`, {
      name: 'Orders API',
      scopes: 'orders:read Read your orders',
      access_token_ttl: '120',
    });
    expect(await store.findById(id)).toMatchObject({
      name: 'Orders API',
      accessTokenTtlSeconds: 120,
    });
    const refused = await browser.submit(page, `/console/apis/${id}`, {
      name: 'Orders API',
      scopes: 'openid',
    });
    expect(refused.status).toBe(400);
    expect(alertOf(refused)).toContain('own scopes');
    await submit(await get(`/console/apis/${id}/delete`), `/apis/${id}/delete`, {});
    expect(await store.findById(id)).toBeUndefined();
    expect((await audited('admin.api.', (d) => d.id === id)).map(([t, a]) => [t, a])).toEqual([
      ['admin.api.created', actor()],
      ['admin.api.updated', actor()],
      ['admin.api.deleted', actor()],
    ]);
  });

  it('creates a registration token shown once, which registers a client, then revokes it', async () => {
    const created = await browser.submit(await get('/console/iats'), '/console/iats', {
      max_uses: '1',
      description: 'console test',
    });
    expect(created.status).toBe(200);
    const token = /id="secret"[^>]*value="([^"]+)"/.exec(created.text)?.[1] ?? '';
    expect(token.length).toBeGreaterThan(20);
    expect((await get('/console/iats')).text).not.toContain(token);
    const register = (value: string) =>
      fetch(`${server.issuer}/reg`, {
        method: 'POST',
        headers: { authorization: `Bearer ${value}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          client_name: 'Registered app',
          redirect_uris: ['https://app.example.com/cb'],
        }),
      });
    expect((await register(token)).status).toBe(201);
    const id = /\/console\/iats\/([0-9a-f]+)\/revoke/.exec(created.text)?.[1] ?? '';
    await submit(await get(`/console/iats/${id}/revoke`), `/iats/${id}/revoke`, {});
    expect((await get('/console/iats')).text).not.toContain(id);
    expect(await audited('admin.initial_access_token.', (d) => d.id === id)).toEqual([
      ['admin.initial_access_token.created', actor()],
      ['admin.initial_access_token.revoked', actor()],
    ]);
    // A bad lifetime: the schema's words, nothing created.
    const refused = await browser.submit(await get('/console/iats'), '/console/iats', {
      expires_in: '5',
    });
    expect(refused.status).toBe(400);
    expect(alertOf(refused)).toContain('at least 60 seconds');
  });

  it('registers a webhook with its secret shown once, changes it, rotates the secret, deletes it', async () => {
    const created = await browser.submit(await get('/console/webhooks'), '/console/webhooks', {
      url: 'https://hooks.example.com/portcullis',
      events: 'admin.user.*\nlogin.locked',
      description: 'ops',
    });
    expect(created.status).toBe(200);
    const secret = /id="secret"[^>]*value="([^"]+)"/.exec(created.text)?.[1] ?? '';
    expect(secret).toMatch(/^whsec_/);
    const id = /\/console\/webhooks\/(wh_[A-Za-z0-9_-]+)\/delete/.exec(created.text)?.[1] ?? '';
    const endpoints = server.services.store.webhookEndpoints;
    expect((await endpoints.findById(id))?.events).toEqual(['admin.user.*', 'login.locked']);
    const shown = await get(`/console/webhooks/${id}`);
    expect(shown.text).not.toContain(secret);
    await submit(shown, `/console/webhooks/${id}`, {
      url: 'https://hooks.example.com/portcullis',
      events: '*',
      disabled: 'yes',
    });
    expect(await endpoints.findById(id)).toMatchObject({ events: ['*'], disabled: true });
    const rotated = await browser.submit(
      await get(`/console/webhooks/${id}/rotate-secret`),
      `/webhooks/${id}/rotate-secret`,
      {},
    );
    const newSecret = /id="secret"[^>]*value="([^"]+)"/.exec(rotated.text)?.[1] ?? '';
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    expect((await endpoints.findById(id))?.secret).toBe(newSecret);
    // The same SSRF and URL rules as the API: a URL with credentials is refused.
    const refused = await browser.submit(shown, `/console/webhooks/${id}`, {
      url: 'https://user:pw@hooks.example.com/x',
      events: '*',
    });
    expect(refused.status).toBe(400);
    await submit(await get(`/console/webhooks/${id}/delete`), `/webhooks/${id}/delete`, {});
    expect(await endpoints.findById(id)).toBeUndefined();
    expect(await audited('admin.webhook.', (d) => d.id === id)).toEqual([
      ['admin.webhook.created', actor()],
      ['admin.webhook.updated', actor()],
      ['admin.webhook.secret_rotated', actor()],
      ['admin.webhook.deleted', actor()],
    ]);
  });

  it('removes a delivery after a confirmation, and prunes expired signing keys', async () => {
    const id = `msg_${unique('x').replace(/[^a-z0-9]/g, '')}`;
    await server.services.store.outbox.enqueue([
      {
        id,
        kind: 'webhook',
        url: 'https://hooks.example.com/later',
        body: '{}',
        contentType: 'application/json',
        target: 'wh_test',
        topic: 'admin.user.created',
        // Not due for an hour: the worker leaves it alone meanwhile.
        availableAt: Date.now() + 3_600_000,
      },
    ]);
    const list = await get('/console/deliveries');
    expect(list.text).toContain(id);
    // The filters of `delivery list`.
    expect((await get('/console/deliveries?state=dead')).text).not.toContain(id);
    expect(
      (await get('/console/deliveries?state=pending&kind=webhook&target=wh_test')).text,
    ).toContain(id);
    const confirm = await get(`/console/deliveries/${id}/remove`);
    await submit(confirm, `/deliveries/${id}/remove`, {});
    expect(await server.services.store.outbox.find(id)).toBeUndefined();
    expect(await audited('admin.delivery.', (d) => d.id === id)).toEqual([
      ['admin.delivery.deleted', actor()],
    ]);

    await submit(await get('/console/keys/prune'), '/console/keys/prune', {});
    const pruned = await server.services.store.events.list(
      { typePrefix: 'admin.keys.pruned' },
      { limit: 1 },
    );
    expect(pruned.items[0]?.actor).toBe(actor());
  });

  it('filters the audit log as `audit list` does: exact type and time range', async () => {
    const role = unique('filtered');
    const before = new Date(Date.now() - 1000).toISOString();
    await submit(await get('/console/roles'), '/console/roles', { name: role });
    const hit = await get(
      `/console/audit?type=admin.role.created&since=${encodeURIComponent(before)}`,
    );
    expect(hit.text).toContain(`role=${role}`);
    const none = await get(
      `/console/audit?type=admin.role.created&until=${encodeURIComponent(before)}`,
    );
    expect(none.text).not.toContain(`role=${role}`);
    const bad = await get('/console/events?since=yesterday-ish');
    expect(alertOf(bad)).toContain('ISO 8601');
  });

  it('answers 403 on every section to a signed-in user who is not an admin', async () => {
    const outsider = await server.createUser();
    const { browser: theirs, page } = await signInToConsole(server.issuer, outsider, {
      path: '/console/roles',
    });
    expect(page.status).toBe(403);
    for (const path of [
      '/console/groups',
      '/console/attributes',
      '/console/iats',
      '/console/webhooks',
      '/console/apis/new',
      '/console/users/import',
      '/console/keys/prune',
    ]) {
      const answer = await theirs.follow(await theirs.get(`${server.issuer}${path}`));
      expect({ path, status: answer.status }).toEqual({ path, status: 403 });
      expect(answer.text).not.toContain('cc-nav');
    }
    const post = await theirs.request(`${server.issuer}/console/roles`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=sneaky',
    });
    expect(post.status).toBe(403);
    expect(await server.services.store.accessControl.findRole('sneaky')).toBeUndefined();
  });
});
