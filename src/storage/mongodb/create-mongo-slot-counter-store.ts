/**
 * Fixed-window counters for servers whose updates are not atomic (FerretDB 1.x, see
 * detect-atomic-updates.ts). There even `$inc` is a read-modify-write: seen here, 20 concurrent
 * `$inc`s on one document added 14. The one atomic step such a server offers is an insert
 * refused by a unique `_id`, so every unit of a count is a document claimed by inserting it:
 *
 * - a window of `key` is named by `epoch`, the end of the window before it (0 for the first), so
 *   every hit that sees the same ended window names the same next one;
 * - its `n`th unit is the slot `_id = [key, epoch, n]`; a hit claims the lowest free slots above
 *   the highest it saw, stepping up past each one another hit took first. Slots are therefore
 *   dense, the highest one is the count, and every hit returns a count no other hit returns;
 * - slot 1 also starts the window: its `expiresAt` (the first claimer's now + window) is copied
 *   to every later slot of the window, so one window has one end.
 *
 * A hit costs one read plus one insert per unit (`by` of them), plus one per slot lost to a
 * concurrent hit. Expired slots are removed by `sweepExpired` (the store's periodic sweep where
 * the server has no TTL indexes). Known limit: a `reset` racing a hit that read the window just
 * before it can leave that hit's slot behind, so the next count starts above 1 (never below).
 */
import type { Db } from 'mongodb';
import { checkCounterHit } from '../check-counter-hit.ts';
import type { CounterState, CounterStore } from '../ports.ts';
import { COUNTER_SLOTS_COLLECTION } from './collection-names.ts';
import type { CounterSlotDocument } from './mongo-documents.ts';
import { guard, isDuplicateKeyError } from './mongo-errors.ts';

/** Rounds of "find the window, else start one": a round is lost only when a window vanishes. */
const WINDOW_ATTEMPTS = 5;

/** The newest window's highest slot first (walks the `key_window_n` index backwards). */
const NEWEST_SLOT = { sort: { expiresAt: -1, n: -1 } } as const;

const slotId = (key: string, epoch: number, n: number): string => JSON.stringify([key, epoch, n]);

export function createMongoSlotCounterStore(db: Db, now: () => number): CounterStore {
  const slots = db.collection<CounterSlotDocument>(COUNTER_SLOTS_COLLECTION);

  /** Inserts the slot; false when another hit holds it already. */
  const claim = async (key: string, epoch: number, n: number, end: number): Promise<boolean> => {
    try {
      await slots.insertOne({
        _id: slotId(key, epoch, n),
        key,
        epoch,
        n,
        expiresAt: new Date(end),
      });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  };

  /** Claims `units` slots of the window from `n` up; returns the highest one claimed. */
  const claimFrom = async (
    key: string,
    epoch: number,
    n: number,
    end: number,
    units: number,
  ): Promise<number> => {
    let left = units;
    let slot = n;
    let highest = n - 1;
    while (left > 0) {
      if (await claim(key, epoch, slot, end)) {
        highest = slot;
        left -= 1;
      }
      slot += 1;
    }
    return highest;
  };

  return {
    hit: (key, windowMs, by = 1) =>
      guard('counters.hit', async (): Promise<CounterState> => {
        checkCounterHit(windowMs, by);
        const at = now();
        for (let attempt = 1; attempt <= WINDOW_ATTEMPTS; attempt += 1) {
          const newest = await slots.findOne({ key: { $eq: key } }, NEWEST_SLOT);
          if (newest !== null && newest.expiresAt.getTime() > at) {
            const end = newest.expiresAt.getTime();
            const count = await claimFrom(key, newest.epoch, newest.n + 1, end, by);
            return { count, resetAt: end };
          }
          // No live window: start the one after the newest (or the first), by claiming slot 1.
          const epoch = newest === null ? 0 : newest.expiresAt.getTime();
          if (await claim(key, epoch, 1, at + windowMs)) {
            const count = await claimFrom(key, epoch, 2, at + windowMs, by - 1);
            return { count, resetAt: at + windowMs };
          }
          // Another hit started it first: count in its window, which ends when it says.
          const first = await slots.findOne({ _id: slotId(key, epoch, 1) });
          if (first === null || first.expiresAt.getTime() <= at) continue; // reset or swept: look again
          const end = first.expiresAt.getTime();
          const count = await claimFrom(key, epoch, 2, end, by);
          return { count, resetAt: end };
        }
        throw new Error(`counter hit did not settle after ${String(WINDOW_ATTEMPTS)} attempts`);
      }),

    get: (key) =>
      guard('counters.get', async () => {
        const newest = await slots.findOne({ key: { $eq: key } }, NEWEST_SLOT);
        return newest === null || newest.expiresAt.getTime() <= now()
          ? undefined
          : { count: newest.n, resetAt: newest.expiresAt.getTime() };
      }),

    reset: (key) =>
      guard('counters.reset', async () => {
        await slots.deleteMany({ key: { $eq: key } });
      }),

    sweepExpired: () =>
      guard('counters.sweepExpired', async () => {
        const cutoff = new Date(now());
        // Counted as counters (keys whose window has ended), like the other backends: not slots,
        // and not a key whose old window ended but which has a live one.
        const ended = await slots
          .find({ n: 1, expiresAt: { $lte: cutoff } }, { projection: { _id: 0, key: 1 } })
          .toArray();
        const endedKeys = [...new Set(ended.map((slot) => slot.key))];
        const stillLive =
          endedKeys.length === 0
            ? []
            : await slots
                .find(
                  { key: { $in: endedKeys }, n: 1, expiresAt: { $gt: cutoff } },
                  { projection: { _id: 0, key: 1 } },
                )
                .toArray();
        const liveKeys = new Set(stillLive.map((slot) => slot.key));
        await slots.deleteMany({ expiresAt: { $lte: cutoff } });
        return endedKeys.filter((key) => !liveKeys.has(key)).length;
      }),
  };
}
