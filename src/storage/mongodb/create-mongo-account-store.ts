/**
 * Accounts on MongoDB. Usernames and emails share one namespace, since the login form accepts
 * either: a username may not equal another account's email, nor an email another's username.
 *
 * How that is enforced, as far as MongoDB allows without transactions:
 * - unique indexes on `usernameNormalized` and `emailNormalized` catch same-field clashes
 *   atomically, everywhere;
 * - a unique multikey index on `logins` ([username, email]) catches cross-field clashes
 *   atomically on MongoDB;
 * - a check before every write finds cross-field clashes and names the field.
 * Residual race, FerretDB only (it indexes the `logins` array as one value): two concurrent
 * creates where one's username is the other's email can both pass the check and both insert.
 * Accounts are created by administrators, so the window is small; `findByLogin` then prefers
 * the username match.
 */
import type { Collection, Db, Filter } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import type { AccountPatch, AccountRecord, AccountStore, ListPage } from '../ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { ACCOUNTS_COLLECTION } from './collection-names.ts';
import { fromMongoSafe, toMongoSafe } from './mongo-safe-value.ts';
import type { AccountDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

function loginsOf(usernameNormalized: string, emailNormalized: string | undefined): string[] {
  return emailNormalized === undefined || emailNormalized === usernameNormalized
    ? [usernameNormalized]
    : [usernameNormalized, emailNormalized];
}

function toDocument(record: AccountRecord): AccountDocument {
  const doc: AccountDocument = {
    _id: record.id,
    username: record.username,
    usernameNormalized: record.usernameNormalized,
    logins: loginsOf(record.usernameNormalized, record.emailNormalized),
    emailVerified: record.emailVerified,
    passwordHash: record.passwordHash,
    disabled: record.disabled,
    claims: toMongoSafe(record.claims) as Record<string, unknown>,
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
  };
  // Absent rather than null: the sparse unique index on emailNormalized skips absent fields.
  if (record.email !== undefined) doc.email = record.email;
  if (record.emailNormalized !== undefined) doc.emailNormalized = record.emailNormalized;
  return doc;
}

function toRecord(doc: AccountDocument): AccountRecord {
  return {
    id: doc._id,
    username: doc.username,
    usernameNormalized: doc.usernameNormalized,
    email: doc.email ?? undefined,
    emailNormalized: doc.emailNormalized ?? undefined,
    emailVerified: doc.emailVerified,
    passwordHash: doc.passwordHash,
    disabled: doc.disabled,
    claims: fromMongoSafe(doc.claims) as Record<string, unknown>,
    createdAt: doc.createdAt.getTime(),
    updatedAt: doc.updatedAt.getTime(),
  };
}

function holdsLogin(
  doc: Pick<AccountDocument, 'usernameNormalized' | 'emailNormalized'>,
  login: string,
): boolean {
  return doc.usernameNormalized === login || doc.emailNormalized === login;
}

export function createMongoAccountStore(db: Db): AccountStore {
  const accounts: Collection<AccountDocument> = db.collection<AccountDocument>(ACCOUNTS_COLLECTION);

  /** Another account (not `exceptId`) whose username or email is one of `logins`. */
  const findHolder = async (
    logins: string[],
    exceptId?: string,
  ): Promise<Pick<AccountDocument, 'usernameNormalized' | 'emailNormalized'> | null> => {
    const filter: Filter<AccountDocument> = {
      $or: [{ usernameNormalized: { $in: logins } }, { emailNormalized: { $in: logins } }],
    };
    if (exceptId !== undefined) filter._id = { $ne: exceptId };
    return accounts.findOne(filter, {
      projection: { _id: 0, usernameNormalized: 1, emailNormalized: 1 },
    });
  };

  /** The field a new account clashes on, or undefined. */
  const conflictFor = async (record: AccountRecord): Promise<string | undefined> => {
    const holder = await findHolder(loginsOf(record.usernameNormalized, record.emailNormalized));
    if (holder === null) return undefined;
    return holdsLogin(holder, record.usernameNormalized) ? 'username' : 'email';
  };

  return {
    create: (record) =>
      guard('accounts.create', async () => {
        const field = await conflictFor(record);
        if (field !== undefined) throw new StoreConflictError(field);
        try {
          await accounts.insertOne(toDocument(record));
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // A concurrent create won the race (FerretDB's E11000 names no index): look again to
          // name the field; if the holder is gone already, the clash was on the id.
          const raced = await conflictFor(record);
          if (raced !== undefined) throw new StoreConflictError(raced);
          const sameId = await accounts.countDocuments({ _id: record.id }, { limit: 1 });
          throw new StoreConflictError(sameId > 0 ? 'id' : 'username');
        }
      }),

    findById: (id) =>
      guard('accounts.findById', async () => {
        const doc = await accounts.findOne({ _id: id });
        return doc === null ? undefined : toRecord(doc);
      }),

    findByLogin: (login) =>
      guard('accounts.findByLogin', async () => {
        const docs = await accounts
          .find({ $or: [{ usernameNormalized: login }, { emailNormalized: login }] })
          .limit(2)
          .toArray();
        // Two matches only after the residual race described above: the username wins.
        const doc = docs.find((d) => d.usernameNormalized === login) ?? docs[0];
        return doc === undefined ? undefined : toRecord(doc);
      }),

    update: (id, patch: AccountPatch, updatedAt) =>
      guard('accounts.update', async () => {
        const current = await accounts.findOne(
          { _id: id },
          { projection: { usernameNormalized: 1 } },
        );
        if (current === null) return undefined;

        const set: Partial<AccountDocument> = { updatedAt: new Date(updatedAt) };
        const unset: Partial<Record<keyof AccountDocument, ''>> = {};
        // A key present with the value `undefined` clears the field (AccountPatch semantics).
        if (Object.hasOwn(patch, 'email')) {
          if (patch.email === undefined) unset.email = '';
          else set.email = patch.email;
        }
        if (Object.hasOwn(patch, 'emailNormalized')) {
          const email = patch.emailNormalized;
          if (email === undefined) unset.emailNormalized = '';
          else {
            set.emailNormalized = email;
            const holder = await findHolder([email], id);
            if (holder !== null) throw new StoreConflictError('email');
          }
          set.logins = loginsOf(current.usernameNormalized, email);
        }
        if (patch.emailVerified !== undefined) set.emailVerified = patch.emailVerified;
        if (patch.passwordHash !== undefined) set.passwordHash = patch.passwordHash;
        if (patch.disabled !== undefined) set.disabled = patch.disabled;
        if (patch.claims !== undefined)
          set.claims = toMongoSafe(patch.claims) as Record<string, unknown>;

        try {
          const doc = await accounts.findOneAndUpdate(
            // Username is immutable, so `logins` computed from it above is still right.
            { _id: id },
            Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set },
            { returnDocument: 'after' },
          );
          return doc === null ? undefined : toRecord(doc);
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('email');
          throw error;
        }
      }),

    remove: (id) =>
      guard('accounts.remove', async () => {
        const result = await accounts.deleteOne({ _id: { $eq: id } });
        return result.deletedCount > 0;
      }),

    list: (options) =>
      guard('accounts.list', async (): Promise<ListPage<AccountRecord>> => {
        const after = decodeCursor(options.cursor);
        const filter: Filter<AccountDocument> =
          after === undefined ? {} : { usernameNormalized: { $gt: after } };
        const docs = await accounts
          .find(filter)
          .sort({ usernameNormalized: 1 })
          .limit(options.limit + 1)
          .toArray();
        const page = docs.slice(0, options.limit);
        const last = page.at(-1);
        return {
          items: page.map(toRecord),
          nextCursor:
            docs.length > options.limit && last !== undefined
              ? encodeCursor(last.usernameNormalized)
              : undefined,
        };
      }),
  };
}
