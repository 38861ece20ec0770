/**
 * One-time links on MongoDB: one document per link, `_id` = the token's hash.
 *
 * `consume` must be atomic on every server we support, and FerretDB 1.24 applies neither
 * conditional updates nor find-and-delete atomically (stack notes). A unique `_id` insert is
 * atomic everywhere, so a use is an insert-once marker named by the hash: of concurrent uses
 * exactly one inserts it, and only that one deletes and returns the link.
 */
import type { Db } from 'mongodb';
import type { AccountTokenRecord, AccountTokenStore } from '../account-lifecycle-ports.ts';
import { StoreConflictError } from '../ports.ts';
import { ACCOUNT_TOKEN_USES_COLLECTION, ACCOUNT_TOKENS_COLLECTION } from './collection-names.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

interface AccountTokenDocument {
  _id: string;
  purpose: string;
  accountId: string;
  email?: string;
  createdAt: Date;
  expiresAt: Date;
}

interface TokenUseDocument {
  _id: string;
  expiresAt: Date;
}

function toRecord(doc: AccountTokenDocument): AccountTokenRecord {
  return {
    hash: doc._id,
    purpose: doc.purpose as AccountTokenRecord['purpose'],
    accountId: doc.accountId,
    email: doc.email ?? undefined,
    createdAt: doc.createdAt.getTime(),
    expiresAt: doc.expiresAt.getTime(),
  };
}

export function createMongoAccountTokenStore(db: Db, now: () => number): AccountTokenStore {
  const tokens = db.collection<AccountTokenDocument>(ACCOUNT_TOKENS_COLLECTION);
  const uses = db.collection<TokenUseDocument>(ACCOUNT_TOKEN_USES_COLLECTION);

  const live = async (hash: string, purpose: string) =>
    tokens.findOne({
      _id: { $eq: hash },
      purpose: { $eq: purpose },
      expiresAt: { $gt: new Date(now()) },
    });

  return {
    create: (record) =>
      guard('accountTokens.create', async () => {
        const doc: AccountTokenDocument = {
          _id: record.hash,
          purpose: record.purpose,
          accountId: record.accountId,
          createdAt: new Date(record.createdAt),
          expiresAt: new Date(record.expiresAt),
        };
        if (record.email !== undefined) doc.email = record.email;
        try {
          await tokens.insertOne(doc);
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('hash');
          throw error;
        }
      }),

    find: (hash, purpose) =>
      guard('accountTokens.find', async () => {
        const doc = await live(hash, purpose);
        return doc === null ? undefined : toRecord(doc);
      }),

    consume: (hash, purpose) =>
      guard('accountTokens.consume', async () => {
        const doc = await live(hash, purpose);
        if (doc === null) return undefined;
        try {
          await uses.insertOne({ _id: hash, expiresAt: doc.expiresAt });
        } catch (error) {
          if (isDuplicateKeyError(error)) return undefined;
          throw error;
        }
        await tokens.deleteOne({ _id: { $eq: hash } });
        return toRecord(doc);
      }),

    removeForAccount: (accountId, purpose) =>
      guard('accountTokens.removeForAccount', async () => {
        const result = await tokens.deleteMany(
          purpose === undefined
            ? { accountId: { $eq: accountId } }
            : { accountId: { $eq: accountId }, purpose: { $eq: purpose } },
        );
        return result.deletedCount;
      }),

    sweepExpired: () =>
      guard('accountTokens.sweepExpired', async () => {
        const before = { expiresAt: { $lte: new Date(now()) } };
        const removed = await tokens.deleteMany(before);
        await uses.deleteMany(before);
        return removed.deletedCount;
      }),
  };
}
