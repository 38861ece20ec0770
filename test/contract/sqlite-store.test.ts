import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../src/storage/sqlite/create-sqlite-store.ts';
import { describeStoreContract } from './store-contract.ts';

const dirs: string[] = [];

describeStoreContract(
  'sqlite',
  async ({ now }) => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-sqlite-contract-'));
    dirs.push(dir);
    return createSqliteStore({ now, file: join(dir, 'nested', 'portcullis.db') });
  },
  async (store) => {
    await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  },
);
