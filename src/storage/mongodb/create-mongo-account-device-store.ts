/**
 * Session activity and known devices on MongoDB. `session_activity`: `_id` = the session's uid;
 * `account_devices`: `_id` = `<accountId> <deviceHash>`, inserted once (a unique `_id` insert is
 * atomic on FerretDB too, which is what makes "first time on this device" happen once).
 */
import type { Db } from 'mongodb';
import type { AccountDeviceStore, SessionActivityRecord } from '../account-lifecycle-ports.ts';
import { ACCOUNT_DEVICES_COLLECTION, SESSION_ACTIVITY_COLLECTION } from './collection-names.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

interface SessionActivityDocument {
  _id: string;
  accountId: string;
  userAgent?: string;
  ip?: string;
  signedInAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
}

interface DeviceDocument {
  _id: string;
  accountId: string;
  firstSeenAt: Date;
}

function toRecord(doc: SessionActivityDocument): SessionActivityRecord {
  return {
    sessionUid: doc._id,
    accountId: doc.accountId,
    userAgent: doc.userAgent ?? undefined,
    ip: doc.ip ?? undefined,
    signedInAt: doc.signedInAt.getTime(),
    lastUsedAt: doc.lastUsedAt.getTime(),
    expiresAt: doc.expiresAt.getTime(),
  };
}

export function createMongoAccountDeviceStore(db: Db, now: () => number): AccountDeviceStore {
  const sessions = db.collection<SessionActivityDocument>(SESSION_ACTIVITY_COLLECTION);
  const devices = db.collection<DeviceDocument>(ACCOUNT_DEVICES_COLLECTION);

  return {
    recordSession: (r) =>
      guard('accountDevices.recordSession', async () => {
        const set: Partial<SessionActivityDocument> = {
          accountId: r.accountId,
          lastUsedAt: new Date(r.lastUsedAt),
          expiresAt: new Date(r.expiresAt),
        };
        const unset: Record<string, ''> = {};
        if (r.userAgent === undefined) unset.userAgent = '';
        else set.userAgent = r.userAgent;
        if (r.ip === undefined) unset.ip = '';
        else set.ip = r.ip;
        await sessions.updateOne(
          { _id: { $eq: r.sessionUid } },
          {
            $set: set,
            $setOnInsert: { signedInAt: new Date(r.signedInAt) },
            ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}),
          },
          { upsert: true },
        );
      }),

    listSessions: (accountId) =>
      guard('accountDevices.listSessions', async () => {
        const docs = await sessions
          .find({ accountId: { $eq: accountId }, expiresAt: { $gt: new Date(now()) } })
          .sort({ lastUsedAt: -1 })
          .toArray();
        return docs.map(toRecord);
      }),

    removeSession: (sessionUid) =>
      guard('accountDevices.removeSession', async () => {
        await sessions.deleteOne({ _id: { $eq: sessionUid } });
      }),

    rememberDevice: (accountId, deviceHash, at) =>
      guard('accountDevices.rememberDevice', async () => {
        try {
          await devices.insertOne({
            _id: `${accountId} ${deviceHash}`,
            accountId,
            firstSeenAt: new Date(at),
          });
          return true;
        } catch (error) {
          if (isDuplicateKeyError(error)) return false;
          throw error;
        }
      }),

    removeForAccount: (accountId) =>
      guard('accountDevices.removeForAccount', async () => {
        const a = await sessions.deleteMany({ accountId: { $eq: accountId } });
        const b = await devices.deleteMany({ accountId: { $eq: accountId } });
        return a.deletedCount + b.deletedCount;
      }),

    sweepExpired: () =>
      guard('accountDevices.sweepExpired', async () => {
        const result = await sessions.deleteMany({ expiresAt: { $lte: new Date(now()) } });
        return result.deletedCount;
      }),
  };
}
