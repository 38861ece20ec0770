import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { findFerretDbBinary, startFerretDb } from '../test/helpers/ferretdb.ts';
import type { StoreName } from './bench-options.ts';
import type { ServerSpec } from './bench-fixtures.ts';
import { childPids, commandLine, type Pinning } from './cpu-pinning.ts';

/**
 * The store behind one column of results: a fresh SQLite directory, the memory store, or a
 * MongoDB database (MONGODB_URI, else a FerretDB started here and pinned to the server core,
 * since a database is part of what serves each request).
 */

export interface StoreColumn {
  store: NonNullable<ServerSpec['store']>;
  /** What the output says about it (e.g. which MongoDB-protocol server). */
  description: string;
  /** The database server's pid when it runs here (its CPU is reported beside the server's). */
  databasePid: number | undefined;
  close(): Promise<void>;
}

export type OpenedColumn = { ok: true; column: StoreColumn } | { ok: false; reason: string };

async function mongoColumn(mongoUri: string | undefined, pinning: Pinning): Promise<OpenedColumn> {
  const mongoDb = `bench_${randomBytes(6).toString('hex')}`;
  if (mongoUri) {
    return {
      ok: true,
      column: {
        store: { backend: 'mongodb', mongoUri, mongoDb },
        description: `MongoDB at MONGODB_URI, database ${mongoDb} (dropped afterwards)`,
        databasePid: undefined,
        async close() {
          const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
          try {
            await client.db(mongoDb).dropDatabase();
          } finally {
            await client.close();
          }
        },
      },
    };
  }
  const binary = findFerretDbBinary();
  if (binary === undefined)
    return {
      ok: false,
      reason: 'no MongoDB-protocol server: set MONGODB_URI or run `npm run test:setup`',
    };
  const before = new Set(childPids(process.pid));
  const ferret = await startFerretDb(binary);
  const pid = childPids(process.pid).find(
    (p) => !before.has(p) && commandLine(p).includes('ferretdb'),
  );
  if (pid !== undefined) pinning.pinToServerCpu(pid);
  return {
    ok: true,
    column: {
      store: { backend: 'mongodb', mongoUri: ferret.uri, mongoDb },
      // FerretDB's SQLite backend answers a few hundred simple operations per second here: it,
      // not Portcullis, sets this column's pace. The MongoDB target needs a real mongod.
      description:
        `FerretDB (SQLite backend) started for the run${pinning.enabled && pid !== undefined ? ', pinned with the servers' : ''}; ` +
        'its own speed bounds this column: set MONGODB_URI to a mongod for the MongoDB target',
      databasePid: pid,
      close: () => ferret.destroy(),
    },
  };
}

export async function openStoreColumn(
  store: StoreName,
  pinning: Pinning,
  mongoUri: string | undefined,
): Promise<OpenedColumn> {
  switch (store) {
    case 'memory':
      return {
        ok: true,
        column: {
          store: { backend: 'memory' },
          description: 'in-process memory store',
          databasePid: undefined,
          close: async () => undefined,
        },
      };
    case 'sqlite': {
      const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
      return {
        ok: true,
        column: {
          store: { backend: 'sqlite', dataDir },
          description: `SQLite in ${dataDir} (deleted afterwards)`,
          databasePid: undefined,
          close: () => rm(dataDir, { recursive: true, force: true }),
        },
      };
    }
    case 'mongodb':
      return mongoColumn(mongoUri, pinning);
  }
}
