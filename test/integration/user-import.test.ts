import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { runCli } from '../../src/cli/run-cli.ts';
import { signInAndRedeem } from '../helpers/sign-in.ts';
import { TestBrowser } from '../helpers/test-browser.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/test-server.ts';

/**
 * User import (issue 17; docs/import.md): 10,000 users with bcrypt, PBKDF2, scrypt and argon2
 * hashes from "another system" are imported by `portcullis user import`, sign in with their old
 * passwords through the real sign-in page and are rehashed to argon2id; re-runs change nothing;
 * a malformed file imports nothing and names every bad line.
 */

const data = tempDir('portcullis-import-');
afterAll(() => data.remove());

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
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
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { STORE: 'sqlite', DATA_DIR: data.path, NODE_ENV: 'test' },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

/** Hashes as other systems store them, with realistic parameters for the users who sign in. */
async function legacyHashes(password: string) {
  const salt = randomBytes(16);
  return {
    bcrypt: await bcrypt.hash(password, 10),
    pbkdf2: `$pbkdf2-sha256$i=100000$${b64(salt)}$${b64(pbkdf2Sync(password, salt, 100_000, 32, 'sha256'))}`,
    // passlib's own spelling: rounds without `i=`, `.` for `+`.
    pbkdf2Passlib: `$pbkdf2-sha512$25000$${b64(salt).replace(/\+/g, '.')}$${b64(pbkdf2Sync(password, salt, 25_000, 64, 'sha512')).replace(/\+/g, '.')}`,
    scrypt: `$scrypt$ln=15,r=8,p=1$${b64(salt)}$${b64(scryptSync(password, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }))}`,
    argon2i: await argon2Hash(password, { algorithm: 1, memoryCost: 65_536, timeCost: 3 }),
  };
}

type Format = keyof Awaited<ReturnType<typeof legacyHashes>>;
const FORMATS: Format[] = ['bcrypt', 'pbkdf2', 'pbkdf2Passlib', 'scrypt', 'argon2i'];
const run = Date.now().toString(36);
const known = new Map<Format, { username: string; password: string }>();

beforeAll(async () => {
  // 10,000 users: 2,000 per format. Bulk users share a few cheap hashes (their passwords are
  // never tried); one user per format has a realistic hash of a known password.
  const cheap = {
    bcrypt: await bcrypt.hash('bulk', 4),
    pbkdf2: `$pbkdf2-sha256$i=1000$${b64(Buffer.alloc(16, 1))}$${b64(pbkdf2Sync('bulk', Buffer.alloc(16, 1), 1000, 32, 'sha256'))}`,
    pbkdf2Passlib: `$pbkdf2-sha512$1000$${b64(Buffer.alloc(16, 2))}$${b64(pbkdf2Sync('bulk', Buffer.alloc(16, 2), 1000, 64, 'sha512')).replace(/\+/g, '.')}`,
    scrypt: `$scrypt$ln=4,r=8,p=1$${b64(Buffer.alloc(16, 3))}$${b64(scryptSync('bulk', Buffer.alloc(16, 3), 32, { N: 16, r: 8, p: 1 }))}`,
    argon2i: await argon2Hash('bulk', { algorithm: 1, memoryCost: 1024, timeCost: 1 }),
  };
  const lines: string[] = [];
  for (let i = 0; i < 10_000; i += 1) {
    const format = FORMATS[i % FORMATS.length] ?? 'bcrypt';
    lines.push(
      JSON.stringify({
        username: `imp-${run}-${String(i)}`,
        email: `imp-${run}-${String(i)}@example.com`,
        email_verified: i % 2 === 0,
        password_hash: cheap[format],
        claims: { name: `Imported ${String(i)}` },
      }),
    );
  }
  for (const format of FORMATS) {
    const user = {
      username: `old-${format.toLowerCase()}-${run}`,
      password: `old ${format} passphrase ${run}`,
    };
    known.set(format, user);
    const hashes = await legacyHashes(user.password);
    lines.splice(
      FORMATS.indexOf(format) * 7,
      1,
      JSON.stringify({ username: user.username, password_hash: hashes[format] }),
    );
  }
  writeFileSync(join(data.path, 'users.jsonl'), `${lines.join('\n')}\n`);
}, 60_000);

describe('portcullis user import', () => {
  it('checks 10,000 users in a dry run and imports none of them', async () => {
    const dry = await cli([
      'user',
      'import',
      join(data.path, 'users.jsonl'),
      '--dry-run',
      '--json',
    ]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ rows: 10_000, created: 0, problems: [] });
    const listed = await cli(['user', 'list', '--json', '--limit', '5']);
    expect((JSON.parse(listed.stdout) as { items: unknown[] }).items).toEqual([]);
  });

  it('imports 10,000 users with mixed hash formats, and a re-run changes nothing', async () => {
    const started = Date.now();
    const first = await cli(['user', 'import', join(data.path, 'users.jsonl'), '--json']);
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`imported 10,000 users in ${seconds.toFixed(1)} s\n`);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rows: 10_000, created: 10_000, skipped: 0 });

    const again = await cli(['user', 'import', join(data.path, 'users.jsonl'), '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, skipped: 10_000, problems: [] });
    const audit = await cli(['audit', 'list', '--json']);
    expect(audit.stdout).toContain('admin.users.imported');
  }, 120_000);

  it('names every bad line of a malformed file and imports nothing from it', async () => {
    const lines = [
      JSON.stringify({ username: `fine-${run}`, password_hash: await bcrypt.hash('x', 4) }),
      '{not json',
      JSON.stringify({
        username: `bad-email-${run}`,
        email: 'nope',
        password_hash: await bcrypt.hash('x', 4),
      }),
      JSON.stringify({
        username: `bad-hash-${run}`,
        password_hash: 'md5:5f4dcc3b5aa765d61d8327deb882cf99',
      }),
      '',
      JSON.stringify({ username: `fine-${run}`, password_hash: await bcrypt.hash('x', 4) }),
      JSON.stringify({
        username: 'has space',
        password_hash: await bcrypt.hash('x', 4),
        role: 'admin',
      }),
      JSON.stringify({
        username: `old-bcrypt-x-${run}`,
        email: `imp-${run}-1@example.com`,
        password_hash: await bcrypt.hash('x', 4),
      }),
      '[1,2]',
    ];
    const file = join(data.path, 'bad.jsonl');
    writeFileSync(file, lines.join('\n'));
    const result = await cli(['user', 'import', file, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      created: number;
      problems: { line: number; field: string }[];
    };
    expect(report.created).toBe(0);
    expect([...new Set(report.problems.map((p) => p.line))]).toEqual([2, 3, 4, 6, 7, 8, 9]);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, field: 'email' }),
        expect.objectContaining({ line: 4, field: 'password_hash' }),
        expect.objectContaining({ line: 6, field: 'username' }),
        expect.objectContaining({ line: 7, field: 'role' }),
        expect.objectContaining({ line: 8, field: 'email' }),
      ]),
    );
    const text = await cli(['user', 'import', file]);
    expect(text.stderr).toContain('line 2:');
    expect(text.stdout).toContain('nothing imported');
    const shown = await cli(['user', 'show', `fine-${run}`]);
    expect(shown.code).not.toBe(0);
  });

  it('imports CSV with profile claims in columns, and names a row with the wrong field count', async () => {
    const hash = await bcrypt.hash('csv passphrase', 4);
    const good = [
      'username,email,email_verified,password_hash,name,locale',
      `csv-a-${run},csv-a-${run}@example.com,true,${hash},"Müller, Anna",de-DE`,
      `csv-b-${run},,false,${hash},"Multi`,
      `line name",en`,
    ].join('\r\n');
    writeFileSync(join(data.path, 'good.csv'), good);
    const ok = await cli(['user', 'import', join(data.path, 'good.csv'), '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ created: 2, problems: [] });
    const shown = await cli(['user', 'show', `csv-a-${run}`, '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      emailVerified: true,
      claims: { name: 'Müller, Anna', locale: 'de-DE' },
    });

    const bad = [
      'username,password_hash',
      `csv-c-${run},${hash}`,
      `csv-d-${run},${hash},extra`,
      `csv-e-${run}`,
    ].join('\n');
    writeFileSync(join(data.path, 'bad.csv'), bad);
    const refused = await cli(['user', 'import', join(data.path, 'bad.csv'), '--json']);
    const report = JSON.parse(refused.stdout) as { created: number; problems: { line: number }[] };
    expect(report.created).toBe(0);
    expect(report.problems.map((p) => p.line)).toEqual([3, 4]);
  });
});

describe('imported users sign in with their old passwords', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ STORE: 'sqlite', DATA_DIR: data.path });
  });
  afterAll(async () => {
    await server?.stop({ graceMs: 100 });
  });

  it.each(FORMATS)(
    'through the sign-in page with a %s hash, which is then argon2id',
    async (format) => {
      const user = known.get(format);
      if (!user) throw new Error('no known user');
      const before = await server.services.store.accounts.findByLogin(user.username);
      expect(before?.passwordHash.startsWith('$argon2id$v=19$m=19456')).toBe(false);
      // A wrong password does not pass, nor rehash.
      expect(
        await server.services.accounts.authenticate(user.username, `${user.password}x`),
      ).toBeUndefined();

      const app = await server.createClient();
      const rp = await server.rp(app.clientId, app.clientSecret);
      const { tokens } = await signInAndRedeem(new TestBrowser(), rp, user, app.redirectUri);
      expect(tokens.claims()?.sub).toBe(before?.id);

      const after = await server.services.store.accounts.findByLogin(user.username);
      expect(after?.passwordHash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
      // The new hash is of the same password.
      expect(
        await server.services.accounts.authenticate(user.username, user.password),
      ).toMatchObject({ id: before?.id });
    },
  );
});
