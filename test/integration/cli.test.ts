import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { runCli } from '../../src/cli/run-cli.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { openServices } from '../../src/open-services.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer } from '../helpers/test-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'portcullis.js');
const BIN_URL = new URL('../../bin/portcullis.js', import.meta.url).href;
const NODE_24 = join(ROOT, 'node_modules', '.bin', 'node');
const PASSWORD = 'correct horse battery staple';

const dirs: string[] = [];
function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
/** A username no other test uses. */
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

/** Runs the CLI in-process against a real sqlite store in `dataDir`. */
async function cli(
  dataDir: string,
  argv: string[],
  options: { stdin?: string; isTTY?: boolean; env?: Record<string, string> } = {},
): Promise<Run> {
  const stdout = sink();
  const stderr = sink();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const code = await runCli(argv, {
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
    // config/test.json selects the memory store; STORE overrides it, as an operator's would.
    env: { STORE: 'sqlite', DATA_DIR: dataDir, NODE_ENV: 'test', ...options.env },
    isTTY: options.isTTY ?? false,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

interface ListedUser {
  id: string;
  username: string;
  email?: string;
  disabled: boolean;
  emailVerified: boolean;
  claims: Record<string, unknown>;
}

async function listUsers(dataDir: string): Promise<ListedUser[]> {
  const run = await cli(dataDir, ['user', 'list', '--json', '--limit', '100']);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { items: ListedUser[] }).items;
}

async function listClients(dataDir: string): Promise<Record<string, unknown>[]> {
  const run = await cli(dataDir, ['client', 'list', '--json', '--limit', '100']);
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { items: Record<string, unknown>[] }).items;
}

/** Checks a password against the store the CLI wrote, through the account service. */
async function authenticates(dataDir: string, login: string, password: string): Promise<boolean> {
  const loaded = loadConfig({ STORE: 'sqlite', DATA_DIR: dataDir, NODE_ENV: 'test' });
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const services = await openServices(loaded.config, createLogger({ level: 'silent' }));
  try {
    return (await services.accounts.authenticate(login, password)) !== undefined;
  } finally {
    await services.close();
  }
}

describe('portcullis user', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });

  it('adds a user with the password from stdin and lists it without any password hash', async () => {
    const username = uniqueName('alice');
    const added = await cli(
      dataDir,
      [
        'user',
        'add',
        username,
        '--email',
        `${username}@example.com`,
        '--email-verified',
        '--name',
        'Alice Liddell',
      ],
      {
        stdin: `${PASSWORD}\n`,
      },
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain(`created user ${username}`);

    const listed = await cli(dataDir, ['user', 'list', '--json']);
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout) as { items: ListedUser[]; nextCursor: string | null };
    expect(page.items.find((u) => u.username === username)).toMatchObject({
      email: `${username}@example.com`,
      emailVerified: true,
      disabled: false,
      claims: { name: 'Alice Liddell' },
    });
    expect(listed.stdout).not.toMatch(/argon2|passwordHash|password/i);

    const table = await cli(dataDir, ['user', 'list']);
    expect(table.stdout).toContain(username);
    expect(table.stdout).not.toMatch(/argon2/);
    expect(await authenticates(dataDir, username, PASSWORD)).toBe(true);
  });

  it('refuses a username that is taken, with exit 1 and one clear line', async () => {
    const username = uniqueName('dup');
    expect((await cli(dataDir, ['user', 'add', username], { stdin: `${PASSWORD}\n` })).code).toBe(
      0,
    );
    const again = await cli(dataDir, ['user', 'add', username.toUpperCase()], {
      stdin: `other ${PASSWORD}\n`,
    });
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: That username is already in use.\n',
    });
    expect(
      (await listUsers(dataDir)).filter((u) => u.username.toLowerCase() === username),
    ).toHaveLength(1);
  });

  it('refuses --password on the command line and stores nothing', async () => {
    const username = uniqueName('argv');
    for (const args of [['--password', PASSWORD], [`--password=${PASSWORD}`]]) {
      const run = await cli(dataDir, ['user', 'add', username, ...args], {
        stdin: `${PASSWORD}\n`,
      });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')[0]).toBe(
        'error: --password is not accepted: command-line arguments are visible to other users and kept in shell history; pipe the password on standard input or type it at the prompt',
      );
    }
    expect((await cli(dataDir, ['user', 'set-password', 'anyone', '--password', 'x'])).code).toBe(
      2,
    );
    expect((await listUsers(dataDir)).some((u) => u.username === username)).toBe(false);
  });

  it('refuses a short password and stores nothing', async () => {
    const username = uniqueName('short');
    const run = await cli(dataDir, ['user', 'add', username], { stdin: 'short\n' });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: password: must be at least 8 characters\n',
    });
    expect((await listUsers(dataDir)).some((u) => u.username === username)).toBe(false);
  });

  it('refuses a missing password on stdin', async () => {
    const run = await cli(dataDir, ['user', 'add', uniqueName('nopw')], { stdin: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: password: expected on the first line of standard input/);
  });

  it('names the field and the rule for an invalid username, before asking for a password', async () => {
    const run = await cli(dataDir, ['user', 'add', 'x'.repeat(65)]);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: username: must be at most 64 characters\n',
    });
    const email = await cli(
      dataDir,
      ['user', 'add', uniqueName('mail'), '--email', 'not-an-email'],
      { stdin: `${PASSWORD}\n` },
    );
    expect(email).toMatchObject({ code: 1, stderr: 'error: email: expected an email address\n' });
  });

  it('prompts twice without echo when stdin is a terminal', async () => {
    const username = uniqueName('tty');
    const run = await cli(dataDir, ['user', 'add', username], {
      isTTY: true,
      stdin: `${PASSWORD}\n${PASSWORD}\n`,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Password: ');
    expect(run.stderr).toContain('Repeat password: ');
    expect(run.stderr + run.stdout).not.toContain(PASSWORD);
    expect(await authenticates(dataDir, username, PASSWORD)).toBe(true);
  });

  it('stores nothing when the two prompted entries differ', async () => {
    const username = uniqueName('typo');
    const run = await cli(dataDir, ['user', 'add', username], {
      isTTY: true,
      stdin: `${PASSWORD}\n${PASSWORD}x\n`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: password: the two entries differ');
    expect((await listUsers(dataDir)).some((u) => u.username === username)).toBe(false);
  });

  it('disables and enables a user by username or email', async () => {
    const username = uniqueName('dis');
    await cli(dataDir, ['user', 'add', username, '--email', `${username}@example.com`], {
      stdin: `${PASSWORD}\n`,
    });

    const disabled = await cli(dataDir, ['user', 'disable', username]);
    expect(disabled).toMatchObject({
      code: 0,
      stdout: `disabled user ${username} <${username}@example.com>\n`,
    });
    expect((await listUsers(dataDir)).find((u) => u.username === username)?.disabled).toBe(true);
    expect(await authenticates(dataDir, username, PASSWORD)).toBe(false);

    const enabled = await cli(dataDir, [
      'user',
      'enable',
      `${username.toUpperCase()}@EXAMPLE.COM`,
      '--json',
    ]);
    expect(enabled.code).toBe(0);
    expect(JSON.parse(enabled.stdout)).toMatchObject({ username, disabled: false });
    expect(await authenticates(dataDir, username, PASSWORD)).toBe(true);
  });

  it('answers exit 1 for an unknown user', async () => {
    const run = await cli(dataDir, ['user', 'disable', 'nobody-at-all']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: user: no user with username or email "nobody-at-all"\n',
    });
  });

  it('sets a new password from stdin', async () => {
    const username = uniqueName('setpw');
    await cli(dataDir, ['user', 'add', username], { stdin: `${PASSWORD}\n` });
    const run = await cli(dataDir, ['user', 'set-password', username], {
      stdin: 'a brand new passphrase\n',
    });
    expect(run).toMatchObject({ code: 0, stdout: `password changed for user ${username}\n` });
    expect(await authenticates(dataDir, username, 'a brand new passphrase')).toBe(true);
    expect(await authenticates(dataDir, username, PASSWORD)).toBe(false);

    const tooShort = await cli(dataDir, ['user', 'set-password', username], { stdin: 'tiny\n' });
    expect(tooShort.code).toBe(1);
    expect(await authenticates(dataDir, username, 'a brand new passphrase')).toBe(true);
  });

  it('pages through users with --limit and --cursor', async () => {
    const first = await cli(dataDir, ['user', 'list', '--json', '--limit', '1']);
    const page = JSON.parse(first.stdout) as { items: ListedUser[]; nextCursor: string | null };
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toEqual(expect.any(String));
    const second = JSON.parse(
      (
        await cli(dataDir, [
          'user',
          'list',
          '--json',
          '--limit',
          '1',
          '--cursor',
          page.nextCursor ?? '',
        ])
      ).stdout,
    ) as {
      items: ListedUser[];
    };
    expect(second.items[0]?.id).not.toBe(page.items[0]?.id);
    expect((await cli(dataDir, ['user', 'list', '--limit', 'ten'])).code).toBe(2);
  });
});

describe('portcullis client', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });

  it('adds a web client, printing its id and secret once, and never lists the secret', async () => {
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Web app',
      '--redirect-uri',
      'https://app.example.com/callback',
    ]);
    expect(run.code).toBe(0);
    const clientId = /client_id:\s+(\S+)/.exec(run.stdout)?.[1];
    const secret = /client_secret:\s+(\S+)/.exec(run.stdout)?.[1];
    expect(clientId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(run.stderr).toContain('warning: the client secret is shown only now');

    const listed = await cli(dataDir, ['client', 'list', '--json']);
    expect(listed.stdout).toContain(clientId);
    expect(listed.stdout).not.toContain(secret);
    expect(listed.stdout).not.toContain('client_secret"');
    const shown = await cli(dataDir, ['client', 'show', clientId ?? '', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      client_id: clientId,
      client_name: 'Web app',
      redirect_uris: ['https://app.example.com/callback'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(shown.stdout).not.toContain(secret);
    expect((await cli(dataDir, ['client', 'show', clientId ?? ''])).stdout).not.toContain(secret);
    expect((await cli(dataDir, ['client', 'list'])).stdout).toContain(clientId);
  });

  it('prints the created client with its secret as JSON with --json', async () => {
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Scripted',
      '--redirect-uri',
      'https://s.example.com/cb',
      '--scope',
      'openid profile',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const created = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(created).toMatchObject({
      client_name: 'Scripted',
      scope: 'openid profile',
      response_types: ['code'],
    });
    expect(created.client_secret).toEqual(expect.any(String));
  });

  it('refuses an http redirect URI for a web client, naming redirect_uris, and stores nothing', async () => {
    const before = (await listClients(dataDir)).length;
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Evil',
      '--redirect-uri',
      'http://evil.example/cb',
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: redirect_uris: "http:\/\/evil\.example\/cb" must use https/,
    );
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await listClients(dataDir)).toHaveLength(before);
  });

  it('refuses a javascript: redirect URI and stores nothing', async () => {
    const before = (await listClients(dataDir)).length;
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'XSS',
      '--redirect-uri',
      'javascript:alert(document.cookie)',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('must not use the javascript: scheme');
    expect(await listClients(dataDir)).toHaveLength(before);
  });

  it('adds a public native client on loopback http with no secret', async () => {
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Desktop',
      '--public',
      '--native',
      '--redirect-uri',
      'http://127.0.0.1/cb',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const created = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(created).toMatchObject({
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/cb'],
    });
    expect(created).not.toHaveProperty('client_secret');
  });

  it('adds a client-credentials resource server', async () => {
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'Orders API',
      '--grant-type',
      'client_credentials',
      '--resource-server',
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      grant_types: ['client_credentials'],
      response_types: [],
      resource_server: true,
    });
  });

  it('removes a client', async () => {
    const created = JSON.parse(
      (
        await cli(dataDir, [
          'client',
          'add',
          '--name',
          'Doomed',
          '--redirect-uri',
          'https://d.example.com/cb',
          '--json',
        ])
      ).stdout,
    ) as {
      client_id: string;
    };
    const removed = await cli(dataDir, ['client', 'remove', created.client_id]);
    expect(removed).toMatchObject({ code: 0, stdout: `removed client ${created.client_id}\n` });
    expect((await listClients(dataDir)).some((c) => c.client_id === created.client_id)).toBe(false);
    expect(await cli(dataDir, ['client', 'show', created.client_id])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: client: no such client\n',
    });
    expect((await cli(dataDir, ['client', 'remove', created.client_id])).code).toBe(1);
  });

  it('needs --name', async () => {
    const run = await cli(dataDir, [
      'client',
      'add',
      '--redirect-uri',
      'https://app.example.com/cb',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: missing --name <name>\n/);
  });
});

describe('portcullis keys', () => {
  interface ListedKey {
    kid: string;
    alg: string;
    state: string;
    activatesAt: string;
    retiresAt: string | null;
    expiresAt: string | null;
  }

  async function listKeys(dataDir: string): Promise<ListedKey[]> {
    const run = await cli(dataDir, ['keys', 'list', '--json']);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as ListedKey[];
  }

  const ALGORITHMS = ['ES256', 'RS256', 'EdDSA'];

  it('lists one active key per configured algorithm, without private key material', async () => {
    const dataDir = tempDataDir();
    const keys = await listKeys(dataDir);
    expect(keys.map((k) => [k.alg, k.state]).sort()).toEqual(
      ALGORITHMS.map((alg) => [alg, 'active']).sort(),
    );
    const table = await cli(dataDir, ['keys', 'list']);
    expect(table.stdout).toMatch(/^KID\s+ALG\s+STATE/);
    const raw = (await cli(dataDir, ['keys', 'list', '--json'])).stdout;
    expect(raw).not.toMatch(/"d"|privateJwk/);
  });

  it('rotates: new keys published before they sign, old keys retired when they do', async () => {
    const dataDir = tempDataDir();
    const before = await listKeys(dataDir);
    const env = { KEY_PUBLISH_LEAD_SECONDS: '3600' };
    const rotated = await cli(dataDir, ['keys', 'rotate', '--json'], { env });
    expect(rotated.code).toBe(0);
    const result = JSON.parse(rotated.stdout) as {
      added: { kid: string; alg: string; activatesAt: string }[];
      retired: { kid: string }[];
      reloadIntervalSeconds: number;
    };
    expect(result.added.map((k) => k.alg).sort()).toEqual([...ALGORITHMS].sort());
    expect(result.retired.map((k) => k.kid).sort()).toEqual(before.map((k) => k.kid).sort());
    expect(result.reloadIntervalSeconds).toBe(60);

    const after = await listKeys(dataDir);
    for (const added of result.added) {
      expect(after.find((k) => k.kid === added.kid)).toMatchObject({
        state: 'pending',
        retiresAt: null,
      });
    }
    for (const old of before) {
      const now = after.find((k) => k.kid === old.kid);
      const successor = result.added.find((k) => k.alg === old.alg);
      // Still signing until its successor activates, then published for the longest token TTL.
      expect(now).toMatchObject({ state: 'active', retiresAt: successor?.activatesAt });
      expect(Date.parse(now?.expiresAt ?? '') - Date.parse(now?.retiresAt ?? '')).toBe(3600 * 1000);
    }

    const text = await cli(dataDir, ['keys', 'rotate'], { env: { KEY_PUBLISH_LEAD_SECONDS: '0' } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('published now, signs from');
    expect(text.stdout).toContain(
      'Running servers pick up the new keys within 60 s (keys.reloadIntervalSeconds)',
    );
    const final = await listKeys(dataDir);
    expect(
      final
        .filter((k) => k.state === 'active')
        .map((k) => k.alg)
        .sort(),
    ).toEqual([...ALGORITHMS].sort());
    for (const old of before) expect(final.find((k) => k.kid === old.kid)?.state).toBe('retired');
  });

  it('prunes keys once nothing they signed can be valid', async () => {
    const dataDir = tempDataDir();
    // Every signed token lives 1 s, so a retired key expires 1 s after the rotation.
    const env = {
      KEY_PUBLISH_LEAD_SECONDS: '0',
      ID_TOKEN_TTL: '1',
      ACCESS_TOKEN_TTL: '1',
      CLIENT_CREDENTIALS_TTL: '1',
    };
    const before = await listKeys(dataDir);
    expect((await cli(dataDir, ['keys', 'prune', '--json'], { env })).stdout).toBe(
      '{\n  "removed": []\n}\n',
    );
    expect((await cli(dataDir, ['keys', 'rotate'], { env })).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await listKeys(dataDir)).filter((k) => k.state === 'expired')).toHaveLength(
      before.length,
    );
    const pruned = await cli(dataDir, ['keys', 'prune', '--json'], { env });
    expect((JSON.parse(pruned.stdout) as { removed: string[] }).removed.sort()).toEqual(
      before.map((k) => k.kid).sort(),
    );
    expect((await listKeys(dataDir)).map((k) => k.state)).toEqual(['active', 'active', 'active']);
  });
});

describe('portcullis command line', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });

  it('answers an unknown command with exit 2 and the usage', async () => {
    const run = await cli(dataDir, ['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^error: unknown command "frobnicate"\n\nUsage: portcullis <command>/,
    );
    expect((await cli(dataDir, ['user', 'frobnicate'])).stderr).toMatch(
      /^error: unknown user command "frobnicate"\n\nUsage: portcullis user <command>/,
    );
    expect((await cli(dataDir, [])).code).toBe(2);
    expect((await cli(dataDir, ['keys'])).code).toBe(2);
  });

  it('answers an unknown option or a missing argument with exit 2', async () => {
    const unknown = await cli(dataDir, ['user', 'list', '--frob']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown option --frob\n\nUsage: portcullis user list/);
    const missing = await cli(dataDir, ['user', 'add']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^error: missing <username>\n/);
    const extra = await cli(dataDir, ['client', 'show', 'a', 'b']);
    expect(extra.stderr).toMatch(/^error: unexpected argument "b"\n/);
    const noValue = await cli(dataDir, ['user', 'add', 'someone', '--email']);
    expect(noValue.stderr).toMatch(/^error: option --email needs a value\n/);
  });

  it.each([
    [['--help'], 'Usage: portcullis <command>'],
    [['-h'], 'Usage: portcullis <command>'],
    [['user', '--help'], 'Usage: portcullis user <command>'],
    [['client', '--help'], 'Usage: portcullis client <command>'],
    [['keys', '--help'], 'Usage: portcullis keys <command>'],
    [['serve', '--help'], 'Usage: portcullis serve'],
    [['user', 'add', '--help'], 'Usage: portcullis user add <username>'],
    [['user', 'list', '-h'], 'Usage: portcullis user list'],
    [['user', 'disable', '--help'], 'Usage: portcullis user disable'],
    [['user', 'enable', '--help'], 'Usage: portcullis user enable'],
    [['user', 'set-password', '--help'], 'Usage: portcullis user set-password'],
    [['client', 'add', '--help'], 'Usage: portcullis client add'],
    [['client', 'list', '--help'], 'Usage: portcullis client list'],
    [['client', 'show', '--help'], 'Usage: portcullis client show'],
    [['client', 'remove', '--help'], 'Usage: portcullis client remove'],
    [['keys', 'list', '--help'], 'Usage: portcullis keys list'],
    [['keys', 'rotate', '--help'], 'Usage: portcullis keys rotate'],
    [['keys', 'prune', '--help'], 'Usage: portcullis keys prune'],
  ])('prints help for %j on stdout', async (argv, heading) => {
    const run = await cli(dataDir, argv);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.startsWith(heading)).toBe(true);
  });

  it('prints the version', async () => {
    const run = await cli(dataDir, ['--version']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('reports every bad configuration key and exits 78', async () => {
    const run = await cli(dataDir, ['user', 'list'], { env: { STORE: 'floppy', PORT: 'eighty' } });
    expect(run.code).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: the configuration is not valid:');
    expect(run.stderr).toContain('STORE (store.backend)');
    expect(run.stderr).toContain('PORT (server.port)');
  });
});

describe('users and clients made with the CLI, used by a running server', () => {
  it('signs in through our pages, grants client credentials to an API that may introspect, and stops a removed client', async () => {
    const dataDir = tempDataDir();
    const username = uniqueName('rp-user');
    const user = JSON.parse(
      (await cli(dataDir, ['user', 'add', username, '--json'], { stdin: `${PASSWORD}\n` })).stdout,
    ) as ListedUser;
    const redirectUri = 'https://rp.example/callback';
    const app = JSON.parse(
      (
        await cli(dataDir, [
          'client',
          'add',
          '--name',
          'RP',
          '--redirect-uri',
          redirectUri,
          '--scope',
          'openid profile email offline_access',
          '--json',
        ])
      ).stdout,
    ) as { client_id: string; client_secret: string };
    const api = JSON.parse(
      (
        await cli(dataDir, [
          'client',
          'add',
          '--name',
          'API',
          '--grant-type',
          'client_credentials',
          '--resource-server',
          '--json',
        ])
      ).stdout,
    ) as { client_id: string; client_secret: string };

    const server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir });
    try {
      const rp = await server.rp(app.client_id, app.client_secret);
      const { tokens } = await signInAndRedeem(
        new TestBrowser(),
        rp,
        { username, password: PASSWORD },
        redirectUri,
      );
      expect(tokens.claims()).toMatchObject({ sub: user.id, aud: app.client_id });
      expect(tokens.refresh_token).toEqual(expect.any(String));

      const apiRp = await server.rp(api.client_id, api.client_secret);
      const serviceToken = await oidc.clientCredentialsGrant(apiRp);
      expect(serviceToken.access_token).toEqual(expect.any(String));
      expect(await oidc.tokenIntrospection(apiRp, tokens.access_token)).toMatchObject({
        active: true,
        sub: user.id,
        client_id: app.client_id,
      });

      // Removed while the server runs: from another process, the server's client cache learns of
      // it within cache.invalidationBoundMs (issue 18; docs/operating.md, "Caches"); from then on
      // every request with the client fails.
      expect((await cli(dataDir, ['client', 'remove', app.client_id])).code).toBe(0);
      const attempt = () =>
        oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '').then(
          () => undefined,
          (err: unknown) =>
            err as { status?: number; cause?: { parameters?: { error?: string } }[] },
        );
      const until = Date.now() + server.config.cache.invalidationBoundMs + 500;
      let refused = await attempt();
      while (refused?.status !== 401 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 50));
        refused = await attempt();
      }
      expect(refused?.status).toBe(401);
      expect(refused?.cause?.[0]?.parameters?.error).toBe('invalid_client');
    } finally {
      await server.stop({ graceMs: 100 });
    }
  });
});

/** Runs a Node binary on bin/portcullis.js as an operator would, with `input` on stdin. */
function spawnCli(
  node: string,
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('bin/portcullis.js', () => {
  it('adds a user with the password on stdin and lists it, end to end on Node 24', async () => {
    const env = { STORE: 'sqlite', DATA_DIR: tempDataDir(), NODE_ENV: 'test' };
    const username = uniqueName('spawned');
    const added = await spawnCli(NODE_24, ['user', 'add', username], env, `${PASSWORD}\n`);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain(`created user ${username}`);
    const listed = await spawnCli(NODE_24, ['user', 'list', '--json'], env);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(
      (JSON.parse(listed.stdout) as { items: ListedUser[] }).items.map((u) => u.username),
    ).toEqual([username]);
    const unknown = await spawnCli(NODE_24, ['nope'], env);
    expect(unknown.code).toBe(2);
  });

  it('refuses to run on an older Node with one line', async () => {
    // Whatever Node this machine has, the bin is run on Node 24 with `process.versions.node`
    // made to read 20.1.0 before it loads: the check must stop it with one line and exit 1.
    const child = spawn(
      NODE_24,
      [
        '--input-type=module',
        '-e',
        `Object.defineProperty(process.versions, 'node', { value: '20.1.0' }); await import(${JSON.stringify(BIN_URL)});`,
      ],
      { env: { PATH: '/usr/bin:/bin' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect({ code, stdout, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'portcullis needs Node.js 24 LTS (this is v20.1.0); run it through npm (npm run portcullis -- ...) or npx, which use the Node from node_modules\n',
    });
  });
});

describe('admin CLI parity (issue 4): the same operations, rules and messages as the admin API', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir();
  });

  async function addClient(
    args: string[],
  ): Promise<{ client_id: string; client_secret?: string } & Record<string, unknown>> {
    const run = await cli(dataDir, ['client', 'add', ...args, '--json']);
    expect(run.stderr).not.toMatch(/^error/m);
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as { client_id: string; client_secret?: string };
  }

  it('bootstraps an admin client whose token opens the admin API of a running server', async () => {
    const ops = await addClient([
      '--name',
      'ops',
      '--grant-type',
      'client_credentials',
      '--scope',
      'admin',
    ]);
    expect(ops).toMatchObject({
      grant_types: ['client_credentials'],
      scope: 'admin',
      client_secret: expect.any(String),
    });
    const server = await startTestServer({ STORE: 'sqlite', DATA_DIR: dataDir });
    try {
      const token = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${ops.client_id}:${ops.client_secret ?? ''}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }),
      });
      const { access_token: accessToken } = (await token.json()) as { access_token: string };
      const listed = await fetch(`${server.issuer}/admin/v1/clients`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(listed.status).toBe(200);
      expect(JSON.stringify(await listed.json())).toContain(ops.client_id);
    } finally {
      await server.stop({ graceMs: 100 });
    }
  });

  it('refuses the admin scope for a client that signs users in, with the API message', async () => {
    const run = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'x',
      '--redirect-uri',
      'https://x.example/cb',
      '--scope',
      'openid admin',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: scope: admin is allowed only for clients whose only grant is client_credentials\n',
    );
  });

  it('updates a client (set and --unset), refusing a bad value with the same message and changing nothing', async () => {
    const app = await addClient([
      '--name',
      'App',
      '--redirect-uri',
      'https://app.example/cb',
      '--logo-uri',
      'https://app.example/l.png',
    ]);
    const updated = await cli(dataDir, [
      'client',
      'update',
      app.client_id,
      '--redirect-uri',
      'https://app.example/cb2',
      '--unset',
      'logo_uri',
      '--json',
    ]);
    expect(updated.code).toBe(0);
    const body = JSON.parse(updated.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({ client_name: 'App', redirect_uris: ['https://app.example/cb2'] });
    expect(body).not.toHaveProperty('logo_uri');
    expect(body).not.toHaveProperty('client_secret');

    const bad = await cli(dataDir, [
      'client',
      'update',
      app.client_id,
      '--redirect-uri',
      'http://app.example/cb',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: redirect_uris: "http:\/\/app\.example\/cb" must use https/);
    const shown = JSON.parse(
      (await cli(dataDir, ['client', 'show', app.client_id, '--json'])).stdout,
    ) as Record<string, unknown>;
    expect(shown.redirect_uris).toEqual(['https://app.example/cb2']);

    expect((await cli(dataDir, ['client', 'update', app.client_id])).code).toBe(2);
    expect(
      (await cli(dataDir, ['client', 'update', app.client_id, '--unset', 'client_id'])).code,
    ).toBe(2);
    const replaced = await cli(dataDir, [
      'client',
      'update',
      app.client_id,
      '--replace',
      '--name',
      'API',
      '--grant-type',
      'client_credentials',
      '--json',
    ]);
    expect(JSON.parse(replaced.stdout)).toMatchObject({
      client_name: 'API',
      grant_types: ['client_credentials'],
      redirect_uris: [],
    });
  });

  it('registers, shows and removes a back-channel logout URI, refusing plain http off loopback', async () => {
    const app = await addClient([
      '--name',
      'Mail',
      '--redirect-uri',
      'https://mail.example/cb',
      '--backchannel-logout-uri',
      'https://mail.example/logout',
      '--backchannel-logout-session-required',
    ]);
    expect(app).toMatchObject({
      backchannel_logout_uri: 'https://mail.example/logout',
      backchannel_logout_session_required: true,
    });
    const shown = await cli(dataDir, ['client', 'show', app.client_id]);
    expect(shown.stdout).toMatch(/^backchannel_logout_uri: +https:\/\/mail\.example\/logout$/m);
    expect(shown.stdout).toMatch(/^backchannel_logout_session_required: +yes$/m);

    const bad = await cli(dataDir, [
      'client',
      'update',
      app.client_id,
      '--backchannel-logout-uri',
      'http://mail.example/logout',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: backchannel_logout_uri: must use https/);

    const removed = await cli(dataDir, [
      'client',
      'update',
      app.client_id,
      '--unset',
      'backchannel_logout_uri,backchannel_logout_session_required',
      '--json',
    ]);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).not.toHaveProperty('backchannel_logout_uri');
  });

  it('rotates a secret, printing the new one once', async () => {
    const app = await addClient(['--name', 'Rotating', '--grant-type', 'client_credentials']);
    const run = await cli(dataDir, ['client', 'rotate-secret', app.client_id, '--json']);
    expect(run.code).toBe(0);
    const rotated = JSON.parse(run.stdout) as { client_secret: string };
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.client_secret).not.toBe(app.client_secret);
    expect(run.stderr).toContain('the old secret stopped working');
  });

  it('adds a private_key_jwt client from a JWK set file and refuses private keys in it', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const file = join(dataDir, 'jwks.json');
    writeFileSync(
      file,
      JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] }),
    );
    const signed = await addClient([
      '--name',
      'Signed',
      '--grant-type',
      'client_credentials',
      '--auth-method',
      'private_key_jwt',
      '--jwks',
      file,
    ]);
    expect(signed).not.toHaveProperty('client_secret');
    expect(signed.jwks).toEqual({ keys: [expect.objectContaining({ kid: 'k1', kty: 'EC' })] });

    writeFileSync(file, JSON.stringify({ keys: [privateKey.export({ format: 'jwk' })] }));
    const leaked = await cli(dataDir, [
      'client',
      'add',
      '--name',
      'x',
      '--grant-type',
      'client_credentials',
      '--auth-method',
      'private_key_jwt',
      '--jwks',
      file,
    ]);
    expect(leaked.code).toBe(1);
    expect(leaked.stderr).toContain('jwks: ');
    expect(leaked.stderr).toContain('public keys only');
  });

  it('shows and updates a user, and resets a password from stdin', async () => {
    const username = uniqueName('parity');
    expect(
      (
        await cli(dataDir, ['user', 'add', username, '--email', `${username}@example.com`], {
          stdin: `${PASSWORD}\n`,
        })
      ).code,
    ).toBe(0);
    const updated = await cli(dataDir, [
      'user',
      'update',
      username,
      '--name',
      'Pat Parity',
      '--claim',
      'locale=en-GB',
      '--email-verified',
      '--json',
    ]);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      emailVerified: true,
      claims: { name: 'Pat Parity', locale: 'en-GB' },
    });
    const bad = await cli(dataDir, ['user', 'update', username, '--claim', 'role=admin']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('claims.role: is not a profile claim');
    const shown = await cli(dataDir, ['user', 'show', username]);
    expect(shown.stdout).toContain('Pat Parity');
    expect(shown.stdout).not.toMatch(/argon2|passwordHash/);

    const reset = await cli(dataDir, ['user', 'reset-password', username], {
      stdin: 'a fresh long passphrase\n',
    });
    expect(reset.code).toBe(0);
    expect(await authenticates(dataDir, username, 'a fresh long passphrase')).toBe(true);
    expect(await authenticates(dataDir, username, PASSWORD)).toBe(false);
  });

  it('creates, lists and revokes initial access tokens, showing a token only once', async () => {
    const created = await cli(dataDir, [
      'iat',
      'create',
      '--expires-in',
      '1h',
      '--max-uses',
      '3',
      '--description',
      'CI',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout) as {
      id: string;
      initial_access_token: string;
      max_uses: number;
      expires_at: number;
    };
    expect(token).toMatchObject({ max_uses: 3, initial_access_token: expect.any(String) });
    expect(token.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
    const listed = await cli(dataDir, ['iat', 'list']);
    expect(listed.stdout).toContain(token.id);
    expect(listed.stdout).not.toContain(token.initial_access_token);
    expect((await cli(dataDir, ['iat', 'create', '--max-uses', '0'])).stderr).toMatch(
      /^error: max_uses: must be at least 1/,
    );
    expect((await cli(dataDir, ['iat', 'create', '--expires-in', 'soon'])).code).toBe(2);
    expect((await cli(dataDir, ['iat', 'revoke', token.id])).code).toBe(0);
    expect((await cli(dataDir, ['iat', 'list'])).stdout).not.toContain(token.id);
    expect((await cli(dataDir, ['iat', 'revoke', token.id])).code).toBe(1);
  });

  it('lists the audit log of what the CLI changed, with the CLI as actor', async () => {
    const run = await cli(dataDir, [
      'audit',
      'list',
      '--type-prefix',
      'admin.client.',
      '--json',
      '--limit',
      '100',
    ]);
    expect(run.code).toBe(0);
    const events = (JSON.parse(run.stdout) as { items: { type: string; actor: string }[] }).items;
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'admin.client.created',
        'admin.client.updated',
        'admin.client.secret_rotated',
      ]),
    );
    expect(events.every((e) => e.actor.startsWith('cli'))).toBe(true);
    expect((await cli(dataDir, ['audit', 'list'])).stdout).toContain('admin.client.created');
    expect((await cli(dataDir, ['audit', 'list', '--since', 'yesterday'])).code).toBe(2);
  });
});

describe('portcullis client reencrypt', () => {
  it('re-encrypts every client secret with the newest key, after which the old key can be dropped', async () => {
    const dataDir = tempDataDir();
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const added = await cli(
      dataDir,
      ['client', 'add', '--name', 'Svc', '--grant-type', 'client_credentials', '--json'],
      { env: { CLIENT_SECRET_KEYS: oldKey } },
    );
    const { client_id: id, client_secret: secret } = JSON.parse(added.stdout) as {
      client_id: string;
      client_secret: string;
    };

    // Without its key the secret cannot be read: the command says so in one line.
    const lost = await cli(dataDir, ['client', 'rotate-secret', id], {
      env: { CLIENT_SECRET_KEYS: newKey },
    });
    expect(lost.code).toBe(1);
    expect(lost.stderr.trim().split('\n')).toHaveLength(1);

    const run = await cli(dataDir, ['client', 'reencrypt', '--json'], {
      env: { CLIENT_SECRET_KEYS: `${newKey},${oldKey}` },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ clients: 1, reencrypted: 1 });
    // The admin API's operation (POST /clients/reencrypt): the same audit entry, the CLI as actor.
    const audit = await cli(
      dataDir,
      ['audit', 'list', '--type-prefix', 'admin.clients.', '--json'],
      {
        env: { CLIENT_SECRET_KEYS: `${newKey},${oldKey}` },
      },
    );
    const entries = (JSON.parse(audit.stdout) as { items: { type: string; actor: string }[] })
      .items;
    expect(entries.map((e) => e.type)).toEqual(['admin.clients.reencrypted']);
    expect(entries[0]?.actor).toMatch(/^cli/);

    const server = await startTestServer({
      STORE: 'sqlite',
      DATA_DIR: dataDir,
      CLIENT_SECRET_KEYS: newKey,
    });
    try {
      const res = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(res.status).toBe(200);
    } finally {
      await server.stop({ graceMs: 100 });
    }
  });
});

describe('portcullis events list with hostile text (issue 12 item 10)', () => {
  it('prints terminal control characters in stored events escaped, never raw', async () => {
    const dataDir = tempDataDir();
    const loaded = loadConfig({ STORE: 'sqlite', DATA_DIR: dataDir, NODE_ENV: 'test' });
    if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
    const services = await openServices(loaded.config, createLogger({ level: 'silent' }));
    try {
      // Written straight to the store, as an older version (or another writer) may have left it.
      await services.store.events.append({
        id: 'evt-hostile-1',
        time: Date.now(),
        type: 'client_auth.failed',
        clientId: 'evil\u001b[2J\u001b]0;owned\u0007',
        ip: '192.0.2.1',
        details: { endpoint: '/token\u009b31m', note: 'line\r\nbreak\u202e' },
      });
    } finally {
      await services.close();
    }
    const run = await cli(dataDir, ['events', 'list']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(
      // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
    );
    expect(run.stdout).toContain('evil\\x1b[2J\\x1b]0;owned\\x07');
    expect(run.stdout).toContain('endpoint=/token\\x9b31m');
    expect(run.stdout).toContain('note=line\\r\\nbreak\\u202e');
    // One table row: the CR LF inside the event did not start a line of its own.
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(2);
    const json = await cli(dataDir, ['events', 'list', '--json']);
    expect(json.stdout).not.toMatch(
      // eslint-disable-next-line no-control-regex -- the test looks for raw control characters
      /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
    );
    expect((JSON.parse(json.stdout) as { items: { clientId: string }[] }).items[0]?.clientId).toBe(
      'evil\u001b[2J\u001b]0;owned\u0007',
    );
  });
});
