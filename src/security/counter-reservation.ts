import type { CounterStore } from '../storage/ports.ts';

/** One counted unit of a limit: taken before the guarded check, given back unless it failed. */
export interface Reservation {
  readonly key: string;
  /** The end of the window the unit was counted in (the counter's `resetAt`). */
  readonly resetAt: number;
  /** Units of the window held when this one was taken, this one included. */
  readonly inUse: number;
  /** Failures recorded in the window before this unit was taken. */
  readonly failed: number;
  readonly windowMs: number;
}

/** A limit's state: units held (failures and checks still under way) and failures proper. */
export interface LimitState {
  resetAt: number;
  inUse: number;
  failed: number;
}

/** Per window of `key`: units given back, and failures. Counters of their own, named by the window. */
const releasedKey = (key: string, resetAt: number) => `${key}:released:${String(resetAt)}`;
const failedKey = (key: string, resetAt: number) => `${key}:failed:${String(resetAt)}`;

/**
 * Limits as atomic reservations (issue 12 item 7). "Read the failure count, check, count the
 * failure afterwards" lets a burst sent all at once through together: every request reads the
 * count before any has failed (65 of 65 parallel sign-ins were checked against a limit of 50).
 * Here each request first takes a unit with the store's atomic `hit`, and is let through only if
 * the units held — taken minus given back — are within the limit; a request that turns out not
 * to be a failure (a success, or one refused for another reason) gives its unit back, so only
 * failures and requests still being checked stay counted. Failures are also counted on their
 * own, in the same window, so that a caller can tell "over the limit" (refuse) from "the units
 * are held by checks still under way" (wait for them).
 *
 * Given-back units are read *before* the unit is taken: a release counted then happened before
 * our `hit`, so it is of an earlier unit, and `inUse` can only over-estimate the units held.
 * Hence, with `hit` atomic (every backend, FerretDB's slot counters included), at no time are
 * more than `limit` units held by requests that were let through. Built on the CounterStore
 * port alone, so no backend needs a method of its own.
 */
export function createCounterReservations(counters: CounterStore) {
  const countOf = async (key: string): Promise<number> => (await counters.get(key))?.count ?? 0;

  /** The window's releases and failures so far (none without a window). */
  async function settled(
    key: string,
    resetAt: number | undefined,
  ): Promise<{ released: number; failed: number }> {
    if (resetAt === undefined) return { released: 0, failed: 0 };
    const [released, failed] = await Promise.all([
      countOf(releasedKey(key, resetAt)),
      countOf(failedKey(key, resetAt)),
    ]);
    return { released, failed };
  }

  return {
    /** The limit's state right now, without taking a unit (a cheap refusal before any work). */
    async state(key: string): Promise<LimitState | undefined> {
      const window = await counters.get(key);
      if (window === undefined) return undefined;
      const { released, failed } = await settled(key, window.resetAt);
      return { resetAt: window.resetAt, inUse: window.count - released, failed };
    },

    async reserve(key: string, windowMs: number): Promise<Reservation> {
      const before = await counters.get(key);
      const { released, failed } = await settled(key, before?.resetAt);
      const taken = await counters.hit(key, windowMs);
      // A new window began in between: what was read belongs to the old one.
      const same = before?.resetAt === taken.resetAt;
      return {
        key,
        resetAt: taken.resetAt,
        inUse: taken.count - (same ? released : 0),
        failed: same ? failed : 0,
        windowMs,
      };
    },

    /** Gives the unit back. Call at most once per reservation, and not after `fail`. */
    async release(reservation: Reservation): Promise<void> {
      await counters.hit(releasedKey(reservation.key, reservation.resetAt), reservation.windowMs);
    },

    /** Keeps the unit as a failure; answers the window's failures, this one included. */
    async fail(reservation: Reservation): Promise<number> {
      return (
        await counters.hit(failedKey(reservation.key, reservation.resetAt), reservation.windowMs)
      ).count;
    },
  };
}

export type CounterReservations = ReturnType<typeof createCounterReservations>;
