/**
 * The cache invalidation feed on MongoDB: one small document per change, read by time. Readers
 * overlap their windows (src/cache/invalidation-feed.ts), so ObjectIds from different processes
 * need not be ordered.
 */
import { ObjectId, type Db } from 'mongodb';
import type { InvalidationStore } from '../ports.ts';
import { INVALIDATIONS_COLLECTION } from './collection-names.ts';
import type { InvalidationDocument } from './mongo-documents.ts';
import { guard } from './mongo-errors.ts';

export function createMongoInvalidationStore(db: Db, now: () => number): InvalidationStore {
  const feed = db.collection<InvalidationDocument>(INVALIDATIONS_COLLECTION);
  return {
    async append(keys) {
      await guard('invalidations.append', async () => {
        await feed.insertOne({ _id: new ObjectId(), time: now(), keys: [...keys] });
      });
    },
    async since(since, limit) {
      const docs = await guard('invalidations.since', () =>
        feed
          .find({ time: { $gte: since } })
          .sort({ time: 1, _id: 1 })
          .limit(limit)
          .toArray(),
      );
      return docs.map((doc) => ({
        id: doc._id.toHexString(),
        time: doc.time,
        keys: [...doc.keys],
      }));
    },
    async pruneBefore(time) {
      const result = await guard('invalidations.pruneBefore', () =>
        feed.deleteMany({ time: { $lt: time } }),
      );
      return result.deletedCount;
    },
  };
}
