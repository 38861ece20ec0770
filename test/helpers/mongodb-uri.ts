/**
 * The MongoDB-protocol server for tests (set by global-setup.ts), and database names that keep
 * parallel test files apart on it.
 */
import { randomBytes } from 'node:crypto';

/** The server's URI. Throws rather than letting MongoDB suites skip when there is none. */
export function requireMongoUri(): string {
  const uri = process.env['MONGODB_URI'];
  if (uri === undefined || uri === '') {
    throw new Error(
      'no MongoDB-protocol server: run `npm run test:setup` (it builds FerretDB) or set MONGODB_URI',
    );
  }
  return uri;
}

/**
 * A database name unique to one test file and run: `test_<label>_<random>`. Kept to letters,
 * digits and `_` and under 64 bytes, which both MongoDB and FerretDB accept.
 */
export function uniqueDatabaseName(label: string): string {
  const safe = label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30);
  return `test_${safe}_${randomBytes(6).toString('hex')}`;
}
