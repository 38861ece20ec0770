/**
 * Copies `payload.accountId` / `payload.clientId` to the top-level `accountId` / `clientId` of
 * oidc entries written before those fields existed, so revoking a user's or a client's entries
 * also reaches them (SQLite's migration 2 does the same with `json_extract`). Runs once per
 * database: it reads every entry, so a `storage_migrations` record marks it done. Idempotent, so
 * two processes starting together on a new version may both run it harmlessly.
 */
import type { Db } from 'mongodb';
import { payloadStringField } from '../payload-string-field.ts';
import { OIDC_COLLECTIONS, STORAGE_MIGRATIONS_COLLECTION } from './collection-names.ts';
import type { OidcDocument, StorageMigrationDocument } from './mongo-documents.ts';
import { isDuplicateKeyError } from './mongo-errors.ts';
import type { MongoStoreLog } from './mongo-store-options.ts';

export const OWNER_FIELDS_MIGRATION = 'oidc-owner-fields';

/** Returns how many entries it updated (0 when the backfill had run already). */
export async function backfillOidcOwnerFields(db: Db, log: MongoStoreLog): Promise<number> {
  const migrations = db.collection<StorageMigrationDocument>(STORAGE_MIGRATIONS_COLLECTION);
  if ((await migrations.findOne({ _id: OWNER_FIELDS_MIGRATION })) !== null) return 0;

  let updated = 0;
  for (const { name } of OIDC_COLLECTIONS) {
    const entries = db.collection<OidcDocument>(name);
    const missing = entries.find(
      {
        $or: [
          { 'payload.accountId': { $exists: true }, accountId: { $exists: false } },
          { 'payload.clientId': { $exists: true }, clientId: { $exists: false } },
        ],
      },
      { projection: { 'payload.accountId': 1, 'payload.clientId': 1 } },
    );
    for await (const entry of missing) {
      // `accountId`/`clientId` hold no escaped characters in their names, so the stored payload
      // has them under the same keys; only string values are indexed, as upsert does.
      const set: Pick<OidcDocument, 'accountId' | 'clientId'> = {};
      const accountId = payloadStringField(entry.payload, 'accountId');
      const clientId = payloadStringField(entry.payload, 'clientId');
      if (accountId !== undefined) set.accountId = accountId;
      if (clientId !== undefined) set.clientId = clientId;
      if (accountId === undefined && clientId === undefined) continue;
      await entries.updateOne({ _id: entry._id }, { $set: set });
      updated += 1;
    }
  }

  try {
    await migrations.insertOne({ _id: OWNER_FIELDS_MIGRATION, appliedAt: new Date() });
  } catch (error) {
    // Another process finished the same backfill first.
    if (!isDuplicateKeyError(error)) throw error;
  }
  log('mongodb: backfilled owner fields of oidc entries', { updated });
  return updated;
}
