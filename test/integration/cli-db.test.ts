import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { MongoClient } from 'mongodb';
import { runCli } from '../../src/cli/run-cli.ts';
import { requireMongoUri, uniqueDatabaseName } from '../helpers/mongodb-uri.ts';
import { tempDir } from '../helpers/test-server.ts';

const dir = tempDir();
afterAll(() => dir.remove());

async function run(argv: string[], env: Record<string, string>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { NODE_ENV: 'test', ...env },
    isTTY: false,
  });
  return { code, out, err };
}

describe('portcullis db migrate', () => {
  it('creates the SQLite database with its schema and reports it', async () => {
    const result = await run(['db', 'migrate', '--json'], { STORE: 'sqlite', DATA_DIR: dir.path });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toEqual({
      backend: 'sqlite',
      indexesCreated: 0,
      ttlIndexes: true,
    });
    expect(existsSync(join(dir.path, 'portcullis.db'))).toBe(true);
  });

  it('creates the MongoDB indexes once and is a no-op the second time', async () => {
    const uri = requireMongoUri();
    const dbName = uniqueDatabaseName('cli-db');
    const env = { STORE: 'mongodb', MONGODB_URI: uri, MONGODB_DB: dbName };
    try {
      const first = await run(['db', 'migrate', '--json'], env);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.out).indexesCreated).toBeGreaterThan(0);
      const second = await run(['db', 'migrate', '--json'], env);
      expect(JSON.parse(second.out).indexesCreated).toBe(0);
      const text = await run(['db', 'migrate'], env);
      expect(text.out).toMatch(/^mongodb store is up to date \(0 index\(es\) created/);
    } finally {
      const client = await MongoClient.connect(uri);
      await client.db(dbName).dropDatabase();
      await client.close();
    }
  });

  it('refuses extra arguments as a usage error', async () => {
    const result = await run(['db', 'migrate', 'now'], { STORE: 'sqlite', DATA_DIR: dir.path });
    expect(result.code).toBe(2);
  });
});
