/** Signing keys on MongoDB: one document per key, `_id` = kid. */
import type { Db } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import type { KeyStore, SigningKeyRecord } from '../ports.ts';
import { SIGNING_KEYS_COLLECTION } from './collection-names.ts';
import { fromMongoSafe, toMongoSafe } from './mongo-safe-value.ts';
import type { SigningKeyDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

const toDate = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));
const fromDate = (date: Date | null | undefined): number | undefined =>
  date?.getTime() ?? undefined;

function toDocument(record: SigningKeyRecord): SigningKeyDocument {
  return {
    _id: record.kid,
    alg: record.alg,
    privateJwk: toMongoSafe(record.privateJwk) as Record<string, unknown>,
    createdAt: new Date(record.createdAt),
    activatesAt: new Date(record.activatesAt),
    retiredAt: toDate(record.retiredAt),
    expiresAt: toDate(record.expiresAt),
  };
}

function toRecord(doc: SigningKeyDocument): SigningKeyRecord {
  return {
    kid: doc._id,
    alg: doc.alg,
    privateJwk: fromMongoSafe(doc.privateJwk) as Record<string, unknown>,
    createdAt: doc.createdAt.getTime(),
    activatesAt: doc.activatesAt.getTime(),
    retiredAt: fromDate(doc.retiredAt),
    expiresAt: fromDate(doc.expiresAt),
  };
}

export function createMongoKeyStore(db: Db): KeyStore {
  const keys = db.collection<SigningKeyDocument>(SIGNING_KEYS_COLLECTION);
  return {
    list: () =>
      guard('keys.list', async () => {
        const docs = await keys.find({}).sort({ createdAt: 1, _id: 1 }).toArray();
        return docs.map(toRecord);
      }),

    add: (record) =>
      guard('keys.add', async () => {
        try {
          await keys.insertOne(toDocument(record));
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('kid');
          throw error;
        }
      }),

    update: (kid, patch) =>
      guard('keys.update', async () => {
        const result = await keys.updateOne(
          { _id: kid },
          { $set: { retiredAt: toDate(patch.retiredAt), expiresAt: toDate(patch.expiresAt) } },
        );
        // matchedCount, not modifiedCount: setting the values a key already has still found it.
        return result.matchedCount === 1;
      }),

    replacePrivateJwk: (kid, privateJwk) =>
      guard('keys.replacePrivateJwk', async () => {
        const result = await keys.updateOne(
          { _id: kid },
          { $set: { privateJwk: toMongoSafe(privateJwk) as Record<string, unknown> } },
        );
        return result.matchedCount === 1;
      }),

    remove: (kid) =>
      guard('keys.remove', async () => {
        await keys.deleteOne({ _id: kid });
      }),
  };
}
