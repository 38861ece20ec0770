/**
 * Second factors for operators (issue 14 items 4 and 7): the per-client `mfa` policy through the
 * admin API, RFC 7591 registration and the CLI; a user's factors listed and reset through the
 * admin API and the CLI, audited, never showing a secret, code or key.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run-cli.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { openServices } from '../../src/open-services.ts';
import { totpCode } from '../../src/mfa/totp.ts';
import { startAdminServer, type AdminFixture } from './admin-fixtures.ts';

let f: AdminFixture;

beforeAll(async () => {
  f = await startAdminServer();
});
afterAll(async () => {
  await f?.server.stop({ graceMs: 100 });
});

const APP = {
  client_name: 'Payroll',
  redirect_uris: ['https://payroll.example/callback'],
};

/** A user with an active TOTP, recovery codes and a (stored) passkey, set up through the service. */
async function userWithFactors(
  services: Awaited<ReturnType<typeof openServices>> | AdminFixture['server']['services'],
) {
  const account = await services.accounts.create({
    username: `mfa-${Math.random().toString(36).slice(2, 10)}`,
    password: 'correct horse battery staple',
  });
  const enrolment = await services.mfa.startTotpEnrolment(account.id, account.username);
  const codes = await services.mfa.confirmTotp(
    account.id,
    totpCode(enrolment?.secret ?? '', Date.now()),
  );
  expect(codes).toHaveLength(10);
  await services.store.credentials.addPasskey({
    id: `cred-${account.id}`,
    accountId: account.id,
    name: 'Laptop',
    publicKey: 'pQECAyYgASFYIPUBLICKEYMATERIAL',
    counter: 3,
    transports: ['internal'],
    attachment: 'platform',
    deviceType: 'multiDevice',
    backedUp: true,
    createdAt: Date.now(),
    lastUsedAt: undefined,
  });
  return { account, secret: enrolment?.secret ?? '', codes: codes ?? [] };
}

describe('the mfa client policy', () => {
  it('is set and answered through the admin API, and a bad value is refused with nothing stored', async () => {
    const created = await f.api('POST', '/clients', { ...APP, mfa: 'required' });
    expect(created.status).toBe(201);
    expect(created.body.mfa).toBe('required');
    const id = String(created.body.client_id);
    const patched = await f.api(
      'PATCH',
      `/clients/${id}`,
      { mfa: 'none' },
      {
        headers: { 'content-type': 'application/merge-patch+json' },
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.mfa).toBe('none');

    const before = (await f.api('GET', '/clients?limit=100')).body;
    const bad = await f.api('POST', '/clients', { ...APP, mfa: 'always' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_client_metadata');
    expect(JSON.stringify(bad.body)).toContain('mfa');
    expect((await f.api('GET', '/clients?limit=100')).body).toEqual(before);
  });

  it('is accepted in RFC 7591 registration metadata and checked there too', async () => {
    const iat = await f.api('POST', '/initial-access-tokens', {});
    const register = (metadata: unknown) =>
      fetch(`${f.server.issuer}/reg`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${String(iat.body.initial_access_token)}`,
        },
        body: JSON.stringify(metadata),
      });
    const ok = await register({ ...APP, mfa: 'required' });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as Record<string, unknown>).mfa).toBe('required');
    const bad = await register({ ...APP, mfa: 7 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Record<string, unknown>).error).toBe('invalid_client_metadata');
  });
});

describe("a user's factors through the admin API", () => {
  it('lists what the user holds without any credential material', async () => {
    const { account, secret, codes } = await userWithFactors(f.server.services);
    const res = await f.api('GET', `/users/${account.id}/mfa`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      totp: 'active',
      recoveryCodesLeft: 10,
      recoveryCodesLow: false,
      passkeys: [
        {
          id: `cred-${account.id}`,
          name: 'Laptop',
          attachment: 'platform',
          backedUp: true,
          deviceType: 'multiDevice',
        },
      ],
    });
    expect(res.text).not.toContain(secret);
    expect(res.text).not.toContain('PUBLICKEYMATERIAL');
    expect(res.text).not.toContain('enc:v1');
    for (const code of codes) expect(res.text).not.toContain(code);
    expect((await f.api('GET', '/users/no-such-user/mfa')).status).toBe(404);
  });

  it('resets every factor, audited, after which the user has none', async () => {
    const { account } = await userWithFactors(f.server.services);
    const res = await f.api('POST', `/users/${account.id}/mfa/reset`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ removed: 12 });
    expect((await f.api('GET', `/users/${account.id}/mfa`)).body).toMatchObject({
      totp: 'none',
      recoveryCodesLeft: 0,
      passkeys: [],
    });
    const audit = await f.api('GET', `/audit-events?subject=${account.id}`);
    expect(JSON.stringify(audit.body)).toContain('admin.user.mfa_reset');
    expect((await f.api('POST', '/users/no-such-user/mfa/reset')).status).toBe(404);
    expect(
      (await f.api('POST', `/users/${account.id}/mfa/reset`, undefined, { token: null })).status,
    ).toBe(401);
  });
});

describe('portcullis user mfa', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-mfa-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { STORE: 'sqlite', DATA_DIR: dir, NODE_ENV: 'test' };

  async function cli(argv: string[]) {
    let out = '';
    let err = '';
    const stream = (append: (s: string) => void) =>
      new Writable({
        write(chunk: Buffer | string, _e, done) {
          append(chunk.toString());
          done();
        },
      });
    const stdin = new PassThrough();
    stdin.end('');
    const code = await runCli(argv, {
      stdin,
      stdout: stream((s) => (out += s)),
      stderr: stream((s) => (err += s)),
      env,
      isTTY: false,
    });
    return { code, stdout: out, stderr: err };
  }

  it("lists and resets a user's factors, and refuses an unknown action", async () => {
    const loaded = loadConfig(env);
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const services = await openServices(loaded.config, createLogger({ level: 'silent' }));
    let username: string;
    let secret: string;
    try {
      const made = await userWithFactors(services);
      username = made.account.username;
      secret = made.secret;
    } finally {
      await services.close();
    }
    const listed = await cli(['user', 'mfa', 'list', username]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('totp:           active');
    expect(listed.stdout).toContain('recovery codes: 10 unused');
    expect(listed.stdout).toContain('"Laptop" (platform, synced, backed up)');
    expect(listed.stdout).not.toContain(secret);

    const added = await cli([
      'client',
      'add',
      '--name',
      'HR',
      '--redirect-uri',
      'https://hr.example/callback',
      '--mfa',
      'required',
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ mfa: 'required' });
    expect((await cli(['client', 'add', '--name', 'X', '--mfa', 'sometimes'])).code).not.toBe(0);

    const json = await cli(['user', 'mfa', 'list', username, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ totp: 'active', recoveryCodesLeft: 10 });

    expect((await cli(['user', 'mfa', 'wipe', username])).code).toBe(2);
    const reset = await cli(['user', 'mfa', 'reset', username]);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('removed 12');
    expect((await cli(['user', 'mfa', 'list', username])).stdout).toContain('totp:           none');
    const events = await cli(['audit', 'list', '--json']);
    expect(events.stdout).toContain('admin.user.mfa_reset');
  });
});
