/**
 * Fixed-window counters on servers whose conditional updates are atomic (MongoDB): one document
 * per key, `{ _id: key, count, expiresAt }`, where `expiresAt` is the window's end. FerretDB 1.x
 * gets create-mongo-slot-counter-store.ts instead (see detect-atomic-updates.ts).
 */
import type { Db } from 'mongodb';
import { checkCounterHit } from '../check-counter-hit.ts';
import type { CounterState, CounterStore } from '../ports.ts';
import { COUNTERS_COLLECTION } from './collection-names.ts';
import type { CounterDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

/** Rounds of "add to the live window, else start one": each lost round means another hit won. */
const HIT_ATTEMPTS = 5;

function toState(doc: CounterDocument): CounterState {
  return { count: doc.count, resetAt: doc.expiresAt.getTime() };
}

export function createMongoCounterStore(db: Db, now: () => number): CounterStore {
  const counters = db.collection<CounterDocument>(COUNTERS_COLLECTION);

  return {
    hit: (key, windowMs, by = 1) =>
      guard('counters.hit', async () => {
        checkCounterHit(windowMs, by);
        const at = new Date(now());
        for (let attempt = 1; attempt <= HIT_ATTEMPTS; attempt += 1) {
          // Inside a live window: one atomic $inc, which never moves the window's end.
          const counted = await counters.findOneAndUpdate(
            { _id: key, expiresAt: { $gt: at } },
            { $inc: { count: by } },
            { returnDocument: 'after' },
          );
          if (counted !== null) return toState(counted);
          try {
            // No live window: restart an ended one, or insert the first. The filter only matches
            // an ended window, so of concurrent restarters one matches; the others' upserts then
            // collide on _id (E11000) and go round to the $inc above.
            const started = await counters.findOneAndUpdate(
              { _id: key, expiresAt: { $lte: at } },
              { $set: { count: by, expiresAt: new Date(at.getTime() + windowMs) } },
              { upsert: true, returnDocument: 'after' },
            );
            if (started !== null) return toState(started);
          } catch (error) {
            if (!isDuplicateKeyError(error)) throw error;
          }
        }
        throw new Error(`counter hit did not settle after ${String(HIT_ATTEMPTS)} attempts`);
      }),

    get: (key) =>
      guard('counters.get', async () => {
        // Every read checks the end itself: the TTL monitor only runs about once a minute.
        const doc = await counters.findOne({ _id: key, expiresAt: { $gt: new Date(now()) } });
        return doc === null ? undefined : toState(doc);
      }),

    reset: (key) =>
      guard('counters.reset', async () => {
        await counters.deleteOne({ _id: key });
      }),

    sweepExpired: () =>
      guard('counters.sweepExpired', async () => {
        const result = await counters.deleteMany({ expiresAt: { $lte: new Date(now()) } });
        return result.deletedCount;
      }),
  };
}
