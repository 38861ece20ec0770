/**
 * Second factors on MongoDB. Every "exactly once" of the port is an insert of a document with a
 * fixed `_id` (the unique `_id` index is atomic on MongoDB and on FerretDB alike, whose
 * conditional updates are not: see detect-atomic-updates.ts), so one code path serves both.
 */
import type { Db } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import type { CredentialStore, PasskeyRecord, TotpCredentialRecord } from '../credential-ports.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

export const MFA_TOTP_COLLECTION = 'mfa_totp';
/** Insert-once markers: a TOTP step accepted, a recovery code used. */
export const MFA_USED_COLLECTION = 'mfa_used';
export const MFA_RECOVERY_CODES_COLLECTION = 'mfa_recovery_codes';
export const MFA_PASSKEYS_COLLECTION = 'mfa_passkeys';

/** Indexes of these collections, created by ensure-mongo-indexes.ts. */
export const CREDENTIAL_INDEXES: ReadonlyArray<{
  collection: string;
  spec: { key: Record<string, 1>; name: string };
}> = [
  { collection: MFA_USED_COLLECTION, spec: { key: { accountId: 1 }, name: 'accountId' } },
  { collection: MFA_RECOVERY_CODES_COLLECTION, spec: { key: { accountId: 1 }, name: 'accountId' } },
  {
    collection: MFA_PASSKEYS_COLLECTION,
    spec: { key: { accountId: 1, createdAt: 1, _id: 1 }, name: 'accountId_createdAt_id' },
  },
];

interface TotpDocument {
  _id: string;
  sealedSecret: string;
  createdAt: Date;
  confirmedAt: Date | null;
  lastUsedAt: Date | null;
}
interface UsedDocument {
  _id: string;
  accountId: string;
  kind: 'totp' | 'code';
  /** The TOTP time step (for pruning); absent on recovery-code markers. */
  step?: number;
}
interface RecoveryCodeDocument {
  _id: string;
  accountId: string;
  createdAt: Date;
}
interface PasskeyDocument {
  _id: string;
  accountId: string;
  name: string;
  publicKey: string;
  counter: number;
  transports: string[];
  attachment: string | null;
  deviceType: string;
  backedUp: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

const date = (ms: number | undefined): Date | null => (ms === undefined ? null : new Date(ms));
const ms = (d: Date | null | undefined): number | undefined => d?.getTime() ?? undefined;
// NUL cannot occur in an account id or a hash, so the joined ids of two pairs never collide.
const pair = (accountId: string, part: string) => `${accountId}\u0000${part}`;

function toTotp(doc: TotpDocument): TotpCredentialRecord {
  return {
    accountId: doc._id,
    sealedSecret: doc.sealedSecret,
    createdAt: doc.createdAt.getTime(),
    confirmedAt: ms(doc.confirmedAt),
    lastUsedAt: ms(doc.lastUsedAt),
  };
}

function toPasskey(doc: PasskeyDocument): PasskeyRecord {
  return {
    id: doc._id,
    accountId: doc.accountId,
    name: doc.name,
    publicKey: doc.publicKey,
    counter: doc.counter,
    transports: [...doc.transports],
    attachment:
      doc.attachment === 'platform' || doc.attachment === 'cross-platform'
        ? doc.attachment
        : undefined,
    deviceType: doc.deviceType === 'multiDevice' ? 'multiDevice' : 'singleDevice',
    backedUp: doc.backedUp,
    createdAt: doc.createdAt.getTime(),
    lastUsedAt: ms(doc.lastUsedAt),
  };
}

export function createMongoCredentialStore(db: Db): CredentialStore {
  const totp = db.collection<TotpDocument>(MFA_TOTP_COLLECTION);
  const used = db.collection<UsedDocument>(MFA_USED_COLLECTION);
  const codes = db.collection<RecoveryCodeDocument>(MFA_RECOVERY_CODES_COLLECTION);
  const passkeys = db.collection<PasskeyDocument>(MFA_PASSKEYS_COLLECTION);

  /** True when this call inserted the marker (the first use). */
  async function markOnce(marker: UsedDocument): Promise<boolean> {
    try {
      await used.insertOne(marker);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  return {
    findTotp: (accountId) =>
      guard('credentials.findTotp', async () => {
        const doc = await totp.findOne({ _id: accountId });
        return doc ? toTotp(doc) : undefined;
      }),

    putTotp: (record) =>
      guard('credentials.putTotp', async () => {
        await totp.replaceOne(
          { _id: record.accountId },
          {
            sealedSecret: record.sealedSecret,
            createdAt: new Date(record.createdAt),
            confirmedAt: date(record.confirmedAt),
            lastUsedAt: date(record.lastUsedAt),
          },
          { upsert: true },
        );
        await used.deleteMany({ accountId: record.accountId, kind: 'totp' });
      }),

    confirmTotp: (accountId, sealedSecret, confirmedAt) =>
      guard('credentials.confirmTotp', async () => {
        const result = await totp.updateOne(
          { _id: accountId, sealedSecret },
          { $set: { confirmedAt: new Date(confirmedAt) } },
        );
        return result.matchedCount === 1;
      }),

    removeTotp: (accountId) =>
      guard('credentials.removeTotp', async () => {
        const result = await totp.deleteOne({ _id: accountId });
        await used.deleteMany({ accountId, kind: 'totp' });
        return result.deletedCount === 1;
      }),

    useTotpStep: (accountId, step, usedAt) =>
      guard('credentials.useTotpStep', async () => {
        const marker: UsedDocument = {
          _id: pair(accountId, `totp:${step}`),
          accountId,
          kind: 'totp',
          step,
        };
        if (!(await markOnce(marker))) return false;
        await totp.updateOne({ _id: accountId }, { $set: { lastUsedAt: new Date(usedAt) } });
        // Steps older than the verification window can never be presented again: pruned.
        await used.deleteMany({ accountId, kind: 'totp', step: { $lt: step - 2 } });
        return true;
      }),

    replaceRecoveryCodes: (accountId, hashes, createdAt) =>
      guard('credentials.replaceRecoveryCodes', async () => {
        await codes.deleteMany({ accountId });
        await used.deleteMany({ accountId, kind: 'code' });
        if (hashes.length === 0) return;
        await codes.insertMany(
          [...new Set(hashes)].map((hash) => ({
            _id: pair(accountId, hash),
            accountId,
            createdAt: new Date(createdAt),
          })),
        );
      }),

    countRecoveryCodes: (accountId) =>
      guard('credentials.countRecoveryCodes', () => codes.countDocuments({ accountId })),

    useRecoveryCode: (accountId, hash) =>
      guard('credentials.useRecoveryCode', async () => {
        const id = pair(accountId, hash);
        if (!(await codes.findOne({ _id: id }))) return false;
        // The marker decides between concurrent uses; the delete only tidies up.
        if (!(await markOnce({ _id: pair(accountId, `code:${hash}`), accountId, kind: 'code' })))
          return false;
        await codes.deleteOne({ _id: id });
        return true;
      }),

    addPasskey: (record) =>
      guard('credentials.addPasskey', async () => {
        try {
          await passkeys.insertOne({
            _id: record.id,
            accountId: record.accountId,
            name: record.name,
            publicKey: record.publicKey,
            counter: record.counter,
            transports: [...record.transports],
            attachment: record.attachment ?? null,
            deviceType: record.deviceType,
            backedUp: record.backedUp,
            createdAt: new Date(record.createdAt),
            lastUsedAt: date(record.lastUsedAt),
          });
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('id');
          throw error;
        }
      }),

    findPasskey: (id) =>
      guard('credentials.findPasskey', async () => {
        const doc = await passkeys.findOne({ _id: id });
        return doc ? toPasskey(doc) : undefined;
      }),

    listPasskeys: (accountId) =>
      guard('credentials.listPasskeys', async () => {
        const docs = await passkeys.find({ accountId }).sort({ createdAt: 1, _id: 1 }).toArray();
        return docs.map(toPasskey);
      }),

    recordPasskeyUse: (id, use) =>
      guard('credentials.recordPasskeyUse', async () => {
        const result = await passkeys.updateOne(
          { _id: id },
          {
            $set: {
              counter: use.counter,
              backedUp: use.backedUp,
              lastUsedAt: new Date(use.usedAt),
            },
          },
        );
        return result.matchedCount === 1;
      }),

    removePasskey: (accountId, id) =>
      guard('credentials.removePasskey', async () => {
        const result = await passkeys.deleteOne({ _id: id, accountId });
        return result.deletedCount === 1;
      }),

    removeAll: (accountId) =>
      guard('credentials.removeAll', async () => {
        const removed =
          (await totp.deleteOne({ _id: accountId })).deletedCount +
          (await codes.deleteMany({ accountId })).deletedCount +
          (await passkeys.deleteMany({ accountId })).deletedCount;
        await used.deleteMany({ accountId });
        return removed;
      }),
  };
}
