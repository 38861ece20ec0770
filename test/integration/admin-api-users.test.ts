import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { unique } from '../helpers/test-server.ts';
import { startAdminServer, tokenRequest, type AdminFixture } from './admin-fixtures.ts';

// Users through the admin API (issue 4, item 1): never a password hash (ASVS 15.3.1).

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminServer();
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

const PASSWORD = 'correct horse battery staple';

async function createUser(extra: Record<string, unknown> = {}) {
  const username = unique('user');
  const res = await f.api('POST', '/users', {
    username,
    password: PASSWORD,
    email: `${username}@example.com`,
    ...extra,
  });
  expect(res.status).toBe(201);
  return { ...res.body, username } as { id: string; username: string } & Record<string, unknown>;
}

describe('users', () => {
  it('creates, reads and lists users without ever answering a password or its hash', async () => {
    const created = await createUser({
      email_verified: true,
      claims: { name: 'Ada Example', locale: 'en-GB' },
    });
    expect(created).toMatchObject({
      emailVerified: true,
      disabled: false,
      claims: { name: 'Ada Example', locale: 'en-GB' },
    });
    const read = await f.api('GET', `/users/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.id, username: created.username });
    const listed = await f.api('GET', '/users?limit=100');
    for (const text of [JSON.stringify(created), read.text, listed.text]) {
      expect(text).not.toMatch(/passwordHash|\$argon2/);
      expect(text).not.toContain(PASSWORD);
    }
    expect(await f.server.services.accounts.authenticate(created.username, PASSWORD)).toBeDefined();
  });

  it('refuses bad input by field, and a taken username with 409', async () => {
    const bad = await f.api('POST', '/users', {
      username: 'has space',
      password: 'short',
      role: 'admin',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: 'invalid_input',
      details: { role: 'is not a field this operation accepts' },
    });
    const typed = await f.api('POST', '/users', { username: { $ne: '' }, password: PASSWORD });
    expect(typed.status).toBe(400);
    expect(typed.body.details).toMatchObject({ username: 'must be a string' });
    const rules = await f.api('POST', '/users', { username: 'has space', password: 'short' });
    expect(rules.status).toBe(400);
    const existing = await createUser();
    const taken = await f.api('POST', '/users', {
      username: existing.username,
      password: PASSWORD,
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('username_taken');
  });

  it('updates claims (null removes one) and email, refusing unknown claims without changing anything', async () => {
    const user = await createUser({ claims: { name: 'Old Name', nickname: 'old' } });
    const res = await f.api('PATCH', `/users/${user.id}`, {
      claims: { name: 'New Name', nickname: null, given_name: 'New' },
    });
    expect(res.status).toBe(200);
    expect(res.body.claims).toEqual({ name: 'New Name', given_name: 'New' });

    const bad = await f.api('PATCH', `/users/${user.id}`, { claims: { is_admin: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual({
      'claims.is_admin': expect.stringContaining('not a profile claim'),
    });
    expect((await f.api('GET', `/users/${user.id}`)).body.claims).toEqual({
      name: 'New Name',
      given_name: 'New',
    });

    const email = await f.api('PATCH', `/users/${user.id}`, {
      email: `${user.username}@new.example.com`,
    });
    expect(email.body).toMatchObject({
      email: `${user.username}@new.example.com`,
      emailVerified: false,
    });
    expect((await f.api('PATCH', `/users/${user.id}`, {})).status).toBe(400);
  });

  it('disables a user, ending their sessions and tokens at once, and enables them again', async () => {
    const username = unique('signed-in');
    const created = await f.api('POST', '/users', { username, password: PASSWORD });
    const app = await f.api('POST', '/clients', {
      client_name: 'RP',
      redirect_uris: ['https://rp.example/cb'],
    });
    const client = {
      clientId: String(app.body.client_id),
      clientSecret: String(app.body.client_secret),
    };
    const rp = await f.server.rp(client.clientId, client.clientSecret);
    const { tokens } = await signInAndRedeem(
      new TestBrowser(),
      rp,
      { username, password: PASSWORD },
      'https://rp.example/cb',
    );

    const disabled = await f.api('POST', `/users/${String(created.body.id)}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabled).toBe(true);
    const refresh = await tokenRequest(f.server.issuer, client, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(refresh.body.error).toBe('invalid_grant');
    expect(
      await f.server.services.store.oidc.findByAccountId('Session', String(created.body.id), 10),
    ).toEqual([]);
    expect(await f.server.services.accounts.authenticate(username, PASSWORD)).toBeUndefined();

    const enabled = await f.api('POST', `/users/${String(created.body.id)}/enable`);
    expect(enabled.body.disabled).toBe(false);
    expect(await f.server.services.accounts.authenticate(username, PASSWORD)).toBeDefined();
  });

  it('resets a password: the new one works, the old one not, and nothing of it is answered', async () => {
    const user = await createUser();
    const res = await f.api('POST', `/users/${user.id}/password`, {
      password: 'a brand new passphrase',
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('a brand new passphrase');
    expect(res.text).not.toMatch(/passwordHash|\$argon2/);
    expect(await f.server.services.accounts.authenticate(user.username, PASSWORD)).toBeUndefined();
    expect(
      await f.server.services.accounts.authenticate(user.username, 'a brand new passphrase'),
    ).toBeDefined();
    const short = await f.api('POST', `/users/${user.id}/password`, { password: 'x' });
    expect(short.status).toBe(400);
    expect(short.body.details).toHaveProperty('password');
  });

  it('answers 404 for an unknown user', async () => {
    expect((await f.api('GET', '/users/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect(
      (await f.api('POST', '/users/00000000-0000-0000-0000-000000000000/disable')).status,
    ).toBe(404);
  });

  it('clamps the page size and pages with a cursor', async () => {
    for (let i = 0; i < 3; i += 1) await createUser();
    const first = await f.api('GET', '/users?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await f.api(
      'GET',
      `/users?limit=1&cursor=${encodeURIComponent(String(first.body.next_cursor))}`,
    );
    expect((second.body.items as { id: string }[])[0]?.id).not.toBe(
      (first.body.items as { id: string }[])[0]?.id,
    );
    expect(
      ((await f.api('GET', '/users?limit=5000')).body.items as unknown[]).length,
    ).toBeLessThanOrEqual(100);
  });

  it('records every user change in the audit log, with the admin client as actor', async () => {
    const user = await createUser();
    await f.api('PATCH', `/users/${user.id}`, { claims: { name: 'Audited' } });
    await f.api('POST', `/users/${user.id}/disable`);
    await f.api('POST', `/users/${user.id}/enable`);
    await f.api('POST', `/users/${user.id}/password`, { password: 'another long passphrase' });
    const log = await f.api('GET', `/audit-events?subject=${user.id}&type_prefix=admin.`);
    const events = log.body.items as Record<string, unknown>[];
    expect(events.map((e) => e.type)).toEqual([
      'admin.user.password_reset',
      'admin.user.enabled',
      'admin.user.disabled',
      'admin.user.updated',
      'admin.user.created',
    ]);
    expect(events.every((e) => e.actor === f.adminClient.clientId && e.ip === '127.0.0.1')).toBe(
      true,
    );
    expect(log.text).not.toContain('another long passphrase');
    const filtered = await f.api(
      'GET',
      `/audit-events?type=admin.user.disabled&subject=${user.id}`,
    );
    expect(filtered.body.items).toHaveLength(1);
    const since = await f.api(
      'GET',
      `/audit-events?subject=${user.id}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(since.body.items).toEqual([]);
  });
});
