/**
 * `portcullis db migrate` for MongoDB: connect, create the indexes, backfill fields new versions
 * look up by, disconnect. Lets deploy pipelines build indexes before new processes start (and
 * without a driver type leaving this folder: the CLI passes connection options, not a `Db`).
 */
import { backfillOidcOwnerFields } from './backfill-oidc-owner-fields.ts';
import { connectMongoDatabase } from './connect-mongo-database.ts';
import { ensureMongoIndexes } from './ensure-mongo-indexes.ts';
import type { EnsureIndexesResult } from './ensure-mongo-indexes.ts';
import { guard } from './mongo-errors.ts';
import type { MongoConnectionOptions } from './mongo-store-options.ts';

export async function migrateMongoDatabase(
  options: MongoConnectionOptions,
): Promise<EnsureIndexesResult> {
  const log = options.log ?? (() => undefined);
  const { client, db } = await connectMongoDatabase(options, log);
  try {
    const result = await guard('ensureIndexes', () => ensureMongoIndexes(db, log));
    await guard('backfillOidcOwnerFields', () => backfillOidcOwnerFields(db, log));
    return result;
  } finally {
    await client.close();
  }
}
