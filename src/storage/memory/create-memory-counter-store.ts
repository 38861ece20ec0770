import { checkCounterHit } from '../check-counter-hit.ts';
import type { CounterState, CounterStore } from '../ports.ts';

/**
 * Fixed-window counters in a Map. Each call is synchronous from read to write, so nothing
 * interleaves inside one `hit`: atomic within the process, which is all a memory store has.
 */
export function createMemoryCounterStore(now: () => number): CounterStore {
  const counters = new Map<string, CounterState>();

  // A window has ended once its end is reached: resetAt == now is already a new window.
  const live = (state: CounterState | undefined, at: number): state is CounterState =>
    state !== undefined && state.resetAt > at;

  return {
    async hit(key, windowMs, by = 1) {
      checkCounterHit(windowMs, by);
      const at = now();
      const current = counters.get(key);
      const next: CounterState = live(current, at)
        ? { count: current.count + by, resetAt: current.resetAt }
        : { count: by, resetAt: at + windowMs };
      counters.set(key, next);
      return { ...next };
    },

    async get(key) {
      const state = counters.get(key);
      return live(state, now()) ? { ...state } : undefined;
    },

    async reset(key) {
      counters.delete(key);
    },

    async sweepExpired() {
      const at = now();
      let removed = 0;
      for (const [key, state] of [...counters]) {
        if (!live(state, at)) {
          counters.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
