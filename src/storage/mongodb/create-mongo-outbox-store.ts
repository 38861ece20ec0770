/**
 * The outbox on MongoDB: one document per delivery, `_id` = id, an index on (state,
 * availableAt, _id) for "due" and on `_id` for listings.
 *
 * A claim moves a due delivery's `availableAt` past its lease in one atomic step. On MongoDB that
 * is `findOneAndUpdate` (a single-document update is atomic). FerretDB 1.x applies conditional
 * updates without re-checking the filter (detect-atomic-updates.ts), so there the step that
 * decides is an insert-once claim marker: `_id` = delivery id + the delivery's claim count, which
 * only one claimer can insert (unique indexes are atomic there); the winner then writes the lease.
 * A claimer that read a stale count collides with the marker the winner already wrote.
 */
import { randomBytes } from 'node:crypto';
import type { Db, Filter } from 'mongodb';
import { StoreConflictError } from '../ports.ts';
import { EVENTS_COLLECTION } from './collection-names.ts';
import type { ClaimedDelivery, OutboxDelivery, OutboxStore } from '../outbox-ports.ts';
import { decodeCursor, encodeCursor } from '../page-cursor.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';
import {
  OUTBOX_COLLECTION,
  sweepCarriedDeliveries,
  toOutboxDocument,
  type OutboxDocument,
} from './mongo-outbox-carriers.ts';

/** Insert-once claim markers (FerretDB 1.x only; empty on MongoDB). */
export const OUTBOX_CLAIMS_COLLECTION = 'outbox_claims';

/**
 * How often the outbox looks for deliveries still carried by their event (a writer cut off
 * between its two steps, mongo-outbox-carriers.ts): the first claim, find or list of a process
 * looks, then at most once per interval.
 */
const CARRIER_SWEEP_MS = 5000;

interface ClaimMarker {
  _id: string;
  deliveryId: string;
}

function toDelivery(doc: OutboxDocument): OutboxDelivery {
  return {
    id: doc._id,
    kind: doc.kind,
    url: doc.url,
    body: doc.body,
    contentType: doc.contentType,
    target: doc.target,
    topic: doc.topic,
    state: doc.state,
    availableAt: doc.availableAt,
    attempts: doc.attempts,
    createdAt: doc.createdAt,
    lastError: doc.lastError ?? undefined,
    lastStatus: doc.lastStatus ?? undefined,
    lastAttemptAt: doc.lastAttemptAt ?? undefined,
  };
}

export async function ensureMongoOutboxIndexes(db: Db): Promise<void> {
  // One index per command (FerretDB 1.24.2 panics on several that all exist, see ensure-mongo-indexes.ts).
  await db.command({
    createIndexes: OUTBOX_COLLECTION,
    indexes: [{ key: { state: 1, availableAt: 1, _id: 1 }, name: 'state_availableAt_id' }],
  });
  await db.command({
    createIndexes: OUTBOX_COLLECTION,
    indexes: [{ key: { target: 1, _id: 1 }, name: 'target_id' }],
  });
  await db.command({
    createIndexes: OUTBOX_CLAIMS_COLLECTION,
    indexes: [{ key: { deliveryId: 1 }, name: 'deliveryId' }],
  });
  // Events that still carry deliveries (mongo-outbox-carriers.ts): the sweep's range.
  await db.command({
    createIndexes: EVENTS_COLLECTION,
    indexes: [{ key: { outboxPending: 1 }, name: 'outboxPending' }],
  });
}

export function createMongoOutboxStore(
  db: Db,
  { now, atomicUpdates }: { now: () => number; atomicUpdates: boolean },
): OutboxStore {
  const outbox = db.collection<OutboxDocument>(OUTBOX_COLLECTION);
  const markers = db.collection<ClaimMarker>(OUTBOX_CLAIMS_COLLECTION);
  let sweptAt = Number.NEGATIVE_INFINITY;
  const sweepIfDue = async (): Promise<void> => {
    const time = now();
    if (time - sweptAt < CARRIER_SWEEP_MS) return;
    await sweepCarriedDeliveries(db);
    sweptAt = time;
  };

  const dueFilter = (time: number, id: string | undefined): Filter<OutboxDocument> => ({
    state: 'pending',
    availableAt: { $lte: time },
    ...(id === undefined ? {} : { _id: id }),
  });

  const claimAtomically = async (
    time: number,
    leaseId: string,
    leaseUntil: number,
    limit: number,
    id: string | undefined,
  ): Promise<OutboxDocument[]> => {
    const claimed: OutboxDocument[] = [];
    while (claimed.length < limit) {
      const doc = await outbox.findOneAndUpdate(
        dueFilter(time, id),
        { $set: { leaseId, availableAt: leaseUntil }, $inc: { claims: 1 } },
        { sort: { availableAt: 1, _id: 1 }, returnDocument: 'after' },
      );
      if (doc === null) break;
      claimed.push(doc);
    }
    return claimed;
  };

  const claimWithMarkers = async (
    time: number,
    leaseId: string,
    leaseUntil: number,
    limit: number,
    id: string | undefined,
  ): Promise<OutboxDocument[]> => {
    // A few more candidates than asked: some may go to a concurrent claimer.
    const candidates = await outbox
      .find(dueFilter(time, id))
      .sort({ availableAt: 1, _id: 1 })
      .limit(limit * 2)
      .toArray();
    const claimed: OutboxDocument[] = [];
    for (const doc of candidates) {
      if (claimed.length >= limit) break;
      try {
        await markers.insertOne({ _id: `${doc._id}:${String(doc.claims)}`, deliveryId: doc._id });
      } catch (error) {
        if (isDuplicateKeyError(error)) continue; // another claimer won this generation
        throw error;
      }
      // Only the marker's winner writes this generation; `claims` in the filter skips a
      // delivery completed (deleted) or re-queued since it was read.
      const result = await outbox.updateOne(
        { _id: doc._id, claims: doc.claims, state: 'pending' },
        { $set: { leaseId, availableAt: leaseUntil, claims: doc.claims + 1 } },
      );
      if (result.matchedCount === 1) {
        claimed.push({ ...doc, leaseId, availableAt: leaseUntil, claims: doc.claims + 1 });
      }
    }
    return claimed;
  };

  return {
    enqueue: (deliveries) =>
      guard('outbox.enqueue', async () => {
        if (deliveries.length === 0) return;
        const createdAt = now();
        try {
          await outbox.insertMany(
            deliveries.map((d) => toOutboxDocument(d, createdAt)),
            { ordered: true },
          );
        } catch (error) {
          if (isDuplicateKeyError(error)) throw new StoreConflictError('id');
          throw error;
        }
      }),

    claim: ({ leaseMs, limit, id }) =>
      guard('outbox.claim', async () => {
        await sweepIfDue();
        const time = now();
        const leaseId = randomBytes(12).toString('base64url');
        const leaseUntil = time + leaseMs;
        const docs = atomicUpdates
          ? await claimAtomically(time, leaseId, leaseUntil, limit, id)
          : await claimWithMarkers(time, leaseId, leaseUntil, limit, id);
        return docs
          .map((doc): ClaimedDelivery => ({ ...toDelivery(doc), leaseId, leaseUntil }))
          .sort((a, b) => (a.id < b.id ? -1 : 1));
      }),

    complete: (id, leaseId) =>
      guard('outbox.complete', async () => {
        const result = await outbox.deleteOne({ _id: id, leaseId, state: 'pending' });
        if (result.deletedCount === 0) return false;
        await markers.deleteMany({ deliveryId: id });
        return true;
      }),

    fail: (id, leaseId, result) =>
      guard('outbox.fail', async () => {
        const set: Partial<OutboxDocument> = {
          lastError: result.error,
          lastAttemptAt: now(),
          ...(result.retryAt === undefined
            ? { state: 'dead' as const }
            : { availableAt: result.retryAt }),
        };
        const update = {
          $set: set,
          $inc: { attempts: 1 },
          $unset: {
            leaseId: '' as const,
            ...(result.status === undefined ? { lastStatus: '' as const } : {}),
          },
        };
        if (result.status !== undefined) set.lastStatus = result.status;
        const outcome = await outbox.updateOne({ _id: id, leaseId, state: 'pending' }, update);
        return outcome.matchedCount === 1;
      }),

    find: (id) =>
      guard('outbox.find', async () => {
        await sweepIfDue();
        const doc = await outbox.findOne({ _id: id });
        return doc === null ? undefined : toDelivery(doc);
      }),

    list: (filter, options) =>
      guard('outbox.list', async () => {
        await sweepIfDue();
        const after = decodeCursor(options.cursor);
        const query: Filter<OutboxDocument> = {
          ...(filter.state === undefined ? {} : { state: filter.state }),
          ...(filter.kind === undefined ? {} : { kind: filter.kind }),
          ...(filter.target === undefined ? {} : { target: filter.target }),
          ...(after === undefined ? {} : { _id: { $gt: after } }),
        };
        const docs = await outbox
          .find(query)
          .sort({ _id: 1 })
          .limit(options.limit + 1)
          .toArray();
        const items = docs.slice(0, options.limit).map(toDelivery);
        const last = items.at(-1);
        return {
          items,
          nextCursor:
            docs.length > options.limit && last !== undefined ? encodeCursor(last.id) : undefined,
        };
      }),

    requeue: (id) =>
      guard('outbox.requeue', async () => {
        const result = await outbox.updateOne(
          { _id: id, state: 'dead' },
          { $set: { state: 'pending', attempts: 0, availableAt: now() }, $unset: { leaseId: '' } },
        );
        return result.matchedCount === 1;
      }),

    remove: (id) =>
      guard('outbox.remove', async () => {
        const result = await outbox.deleteOne({ _id: id });
        await markers.deleteMany({ deliveryId: id });
        return result.deletedCount === 1;
      }),
  };
}
