/**
 * Jest global setup: provides a MongoDB-protocol server for the MongoDB suites.
 *
 * `MONGODB_URI` set (a real mongod, e.g. in CI): used as is. Otherwise FerretDB is started
 * here and its URI put in `MONGODB_URI`, which the test workers inherit. Without either, nothing
 * is set and `requireMongoUri()` makes the MongoDB suites fail with instructions: they are
 * never skipped silently.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Config } from 'jest';
import type * as FerretDbModule from './ferretdb.ts';
import type { FerretDb } from './ferretdb.ts';

declare global {
  // Read by global-teardown.ts, which runs in the same process.
  var __portcullisFerretDb: FerretDb | undefined;
}

export default async function globalSetup(
  _globalConfig: unknown,
  projectConfig: Config,
): Promise<void> {
  const given = process.env['MONGODB_URI'];
  if (given !== undefined && given !== '') return;

  // Loaded by absolute file URL, not `import ... from './ferretdb.ts'`: jest loads this file
  // outside its module system, where ts-jest's rewrite of `./ferretdb.ts` to `./ferretdb.js`
  // names a file that does not exist. Node 24 runs the helper's TypeScript directly.
  const rootDir = projectConfig.rootDir ?? process.cwd();
  const { findFerretDbBinary, startFerretDb } = (await import(
    pathToFileURL(join(rootDir, 'test', 'helpers', 'ferretdb.ts')).href
  )) as typeof FerretDbModule;

  const binary = findFerretDbBinary();
  if (binary === undefined) {
    console.warn(
      'global-setup: no MongoDB-protocol server (FerretDB not installed, MONGODB_URI unset): ' +
        'MongoDB suites will fail; run `npm run test:setup` (it builds FerretDB) or set MONGODB_URI',
    );
    return;
  }
  try {
    const server = await startFerretDb(binary);
    globalThis.__portcullisFerretDb = server;
    process.env['MONGODB_URI'] = server.uri;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(
      `global-setup: FerretDB (${binary}) did not start, MongoDB suites will fail: ${reason}`,
    );
  }
}
