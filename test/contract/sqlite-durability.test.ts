/**
 * What only the SQLite backend promises beyond the shared contract: data survives closing and
 * reopening the file, the database runs in WAL mode, migrations run once per file, and two
 * connections on one file (as two processes would have) still agree.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DatabaseSync } from 'node:sqlite';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { StoreUnavailableError } from '../../src/storage/ports.ts';
import type { AccountRecord, SigningKeyRecord } from '../../src/storage/ports.ts';
import { createSqliteStore } from '../../src/storage/sqlite/create-sqlite-store.ts';
import { MIGRATIONS, migrate } from '../../src/storage/sqlite/sqlite-migrations.ts';

const HOUR = 60 * 60 * 1000;

describe('sqlite store durability', () => {
  let dir: string;
  let fileCount = 0;
  const newFile = (): string => join(dir, `db-${String(fileCount++)}`, 'portcullis.db');

  /** Reads a file with its own connection, as an operator's `sqlite3` shell would. */
  const inspect = <T>(file: string, read: (db: DatabaseSync) => T): T => {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-sqlite-durability-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps everything written after the store is closed and reopened on the same file', async () => {
    const file = newFile();
    const now = Date.now();
    const account: AccountRecord = {
      id: 'sub-1',
      username: 'Ada',
      usernameNormalized: 'ada',
      email: 'ada@example.test',
      emailNormalized: 'ada@example.test',
      emailVerified: true,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      disabled: false,
      claims: { name: 'Ada Lovelace' },
      createdAt: now,
      updatedAt: now,
    };
    const key: SigningKeyRecord = {
      kid: 'kid-1',
      alg: 'ES256',
      privateJwk: { kty: 'EC', kid: 'kid-1' },
      createdAt: now,
      activatesAt: now,
      retiredAt: undefined,
      expiresAt: now + HOUR,
    };

    const first = createSqliteStore({ file });
    await first.oidc.upsert('Session', 'sess-1', { jti: 'sess-1', uid: 'uid-1' }, now + HOUR);
    await first.oidc.upsert('AuthorizationCode', 'code-1', { jti: 'code-1' }, now + HOUR);
    expect(await first.oidc.consume('AuthorizationCode', 'code-1')).toBe(true);
    await first.oidc.upsert('Client', 'client-1', { client_id: 'client-1' });
    await first.accounts.create(account);
    await first.keys.add(key);
    await first.settings.setIfAbsent('cookie-keys', ['k1']);
    await first.close();

    const reopened = createSqliteStore({ file });
    try {
      expect(await reopened.oidc.findByUid('Session', 'uid-1')).toEqual({
        jti: 'sess-1',
        uid: 'uid-1',
      });
      expect(await reopened.oidc.find('Client', 'client-1')).toEqual({ client_id: 'client-1' });
      expect(await reopened.oidc.find('AuthorizationCode', 'code-1')).toMatchObject({
        consumed: expect.any(Number),
      });
      expect(await reopened.oidc.consume('AuthorizationCode', 'code-1')).toBe(false);
      expect(await reopened.accounts.findByLogin('ada@example.test')).toEqual(account);
      expect(await reopened.keys.list()).toEqual([key]);
      expect(await reopened.settings.get('cookie-keys')).toEqual(['k1']);
    } finally {
      await reopened.close();
    }
  });

  it('runs the database in WAL mode with the parent directory created', async () => {
    const file = newFile();
    const store = createSqliteStore({ file });
    try {
      await store.settings.setIfAbsent('probe', 1);
      const mode = inspect(file, (db) => db.prepare('PRAGMA journal_mode').get());
      expect(mode).toEqual(expect.objectContaining({ journal_mode: 'wal' }));
    } finally {
      await store.close();
    }
  });

  it('applies every migration once and does not re-run them when the file is reopened', async () => {
    const file = newFile();
    const readVersions = (): unknown[] =>
      inspect(file, (db) =>
        db.prepare('SELECT version, applied_at FROM schema_version ORDER BY version').all(),
      );

    await createSqliteStore({ file, now: () => 1_000 }).close();
    const before = readVersions();
    await createSqliteStore({ file, now: () => 2_000 }).close();

    expect(before).toEqual(
      MIGRATIONS.map((m) => expect.objectContaining({ version: m.version, applied_at: 1_000 })),
    );
    expect(readVersions()).toEqual(before);
  });

  it('applies only the migrations a file has not seen yet', () => {
    const db = new DatabaseSync(':memory:');
    try {
      const first = { version: 1, description: 'one', sql: 'CREATE TABLE one (x INTEGER)' };
      const second = { version: 2, description: 'two', sql: 'CREATE TABLE two (x INTEGER)' };

      expect(migrate(db, () => 1, [first])).toEqual([1]);
      // Re-running version 1 would fail: its CREATE TABLE has no IF NOT EXISTS.
      expect(migrate(db, () => 2, [first, second])).toEqual([2]);
      expect(migrate(db, () => 3, [first, second])).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration entirely, recording no version', () => {
    const db = new DatabaseSync(':memory:');
    try {
      const broken = {
        version: 1,
        description: 'broken',
        sql: 'CREATE TABLE half (x INTEGER); NOT SQL',
      };

      expect(() => migrate(db, () => 1, [broken])).toThrow();

      expect(
        db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(),
      ).toBeUndefined();
      expect(db.prepare('SELECT COUNT(*) AS n FROM schema_version').get()).toEqual(
        expect.objectContaining({ n: 0 }),
      );
    } finally {
      db.close();
    }
  });

  it('works on a private in-memory database', async () => {
    const store = createSqliteStore({ file: ':memory:' });
    try {
      await store.oidc.upsert('Client', 'c', { client_id: 'c' });
      expect(await store.oidc.find('Client', 'c')).toEqual({ client_id: 'c' });
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('lets two connections on one file agree: one consume wins, one setting value, shared writes', async () => {
    const file = newFile();
    const a = createSqliteStore({ file });
    const b = createSqliteStore({ file });
    try {
      await a.oidc.upsert('AuthorizationCode', 'code', { jti: 'code' }, Date.now() + HOUR);

      const consumed = await Promise.all([
        a.oidc.consume('AuthorizationCode', 'code'),
        b.oidc.consume('AuthorizationCode', 'code'),
        a.oidc.consume('AuthorizationCode', 'code'),
        b.oidc.consume('AuthorizationCode', 'code'),
      ]);
      const settled = await Promise.all([
        a.settings.setIfAbsent('s', 'from-a'),
        b.settings.setIfAbsent('s', 'from-b'),
      ]);

      expect(consumed.filter(Boolean)).toHaveLength(1);
      expect(settled).toEqual(['from-a', 'from-a']);
      expect(await b.oidc.find('AuthorizationCode', 'code')).toMatchObject({ jti: 'code' });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('counts hits from two processes on one file exactly: every count once, none lost', async () => {
    const file = newFile();
    const hits = 200;
    // Created (and migrated) here first, so the two processes race on hits, not on migrating.
    await createSqliteStore({ file }).close();
    const storeModule = pathToFileURL(
      join(process.cwd(), 'src', 'storage', 'sqlite', 'create-sqlite-store.ts'),
    ).href;
    // Both processes start hitting at one agreed instant, after both have opened the file, so
    // their hits overlap instead of one process finishing before the other has started.
    const startAt = Date.now() + 1500;
    const script = `
      const { createSqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = createSqliteStore({ file: ${JSON.stringify(file)} });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ${String(startAt)} - Date.now())));
      const counts = [];
      for (let i = 0; i < ${String(hits)}; i += 1) {
        counts.push((await store.counters.hit('shared', 3600000)).count);
      }
      await store.close();
      process.stdout.write(JSON.stringify(counts));
    `;
    const run = async (): Promise<number[]> => {
      const { stdout } = await promisify(execFile)(process.execPath, [
        '--disable-warning=ExperimentalWarning',
        '--input-type=module',
        '-e',
        script,
      ]);
      return JSON.parse(stdout) as number[];
    };

    const [first, second] = await Promise.all([run(), run()]);

    const all = [...first, ...second].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 2 * hits }, (_, i) => i + 1));
    const store = createSqliteStore({ file });
    try {
      expect(await store.counters.get('shared')).toMatchObject({ count: 2 * hits });
    } finally {
      await store.close();
    }
  });

  it('migrates a version-1 file: entries written before get their owners from the payload', async () => {
    const file = newFile();
    const first = MIGRATIONS.filter((m) => m.version === 1);
    mkdirSync(dirname(file), { recursive: true });
    const db = new DatabaseSync(file);
    try {
      migrate(db, () => 1, first);
      const insert = db.prepare(
        'INSERT INTO oidc_entries (model, id, payload, expires_at) VALUES (?, ?, ?, ?)',
      );
      const later = Date.now() + HOUR;
      insert.run('Session', 's1', JSON.stringify({ jti: 's1', accountId: 'acct', iat: 2 }), later);
      insert.run('Session', 's2', JSON.stringify({ jti: 's2', accountId: 'acct', iat: 1 }), later);
      insert.run(
        'AccessToken',
        'at',
        JSON.stringify({ jti: 'at', accountId: 'acct', clientId: 'app' }),
        later,
      );
      insert.run(
        'Grant',
        'g',
        JSON.stringify({ jti: 'g', accountId: 42, clientId: { $ne: null } }),
        later,
      );
    } finally {
      db.close();
    }

    const store = createSqliteStore({ file });
    try {
      expect((await store.oidc.findByAccountId('Session', 'acct', 10)).map((e) => e.id)).toEqual([
        's2',
        's1',
      ]);
      expect(await store.oidc.revokeByClientId('AccessToken', 'app')).toBe(1);
      // Owners that are not strings are not copied, as upsert would not index them either.
      expect(await store.oidc.findByAccountId('Grant', '42', 10)).toEqual([]);
      expect(
        inspect(file, (read) =>
          read.prepare("SELECT account_id, client_id FROM oidc_entries WHERE id = 'g'").get(),
        ),
      ).toEqual(expect.objectContaining({ account_id: null, client_id: null }));
      const indexes = inspect(file, (read) =>
        read
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'",
          )
          .all()
          .map((row) => row.name),
      );
      expect(indexes).toEqual(
        expect.arrayContaining([
          'oidc_entries_account',
          'oidc_entries_client',
          'counters_reset_at',
          'events_time',
          'events_type',
          'events_subject',
          'events_client',
        ]),
      );
    } finally {
      await store.close();
    }
  });

  it('rolls an event back when its delivery cannot be written (one transaction)', async () => {
    const file = newFile();
    const store = createSqliteStore({ file });
    try {
      // A real failure of the second write, from another connection as an operator could cause
      // (or a full disk would): every outbox insert aborts.
      const other = new DatabaseSync(file);
      other.exec(
        `CREATE TRIGGER outbox_refuses BEFORE INSERT ON outbox
         BEGIN SELECT RAISE(ABORT, 'outbox refuses'); END`,
      );
      other.close();
      const event = { id: 'evt-atomic', time: Date.now(), type: 'admin.user.created' };
      const delivery = {
        id: 'msg-atomic',
        kind: 'webhook' as const,
        url: 'https://hooks.example.com/in',
        body: '{}',
        contentType: 'application/json',
        target: 'wh-1',
        topic: event.type,
        availableAt: Date.now(),
      };
      await expect(store.events.appendWithDeliveries(event, [delivery])).rejects.toThrow(
        /outbox refuses/,
      );
      const count = (table: string) =>
        inspect(file, (db) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n);
      expect(count('events')).toBe(0);
      expect(count('outbox')).toBe(0);
      // The event alone (no delivery) still goes in: only the failed pair was rolled back.
      await store.events.appendWithDeliveries(event, []);
      expect(count('events')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('reports a closed store as unavailable, and tolerates closing twice', async () => {
    const store = createSqliteStore({ file: newFile() });
    await store.close();

    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.oidc.find('Client', 'x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.accounts.findById('x')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.close()).resolves.toBeUndefined();
  });
});
