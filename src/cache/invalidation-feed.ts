import type { InvalidationStore } from '../storage/ports.ts';

/** The key that names every cached answer at once (a change no narrower key describes). */
export const EVERYTHING = '*';

/**
 * Readers ask for records from this long before their previous read started: records carry the
 * writer's clock and become visible when its write commits, so a window that overlaps absorbs
 * clock skew and slow commits up to this much. Records are idempotent, so reading one twice is
 * harmless.
 */
export const OVERLAP_MS = 5_000;
/** Records older than this are pruned: every reader has long seen them. */
export const RETENTION_MS = 60_000;
/** More records than this in one window: the reader drops everything rather than page. */
const READ_LIMIT = 1_000;

export type InvalidationListener = (keys: readonly string[]) => void;

/**
 * A faster way between processes than the store (Redis pub/sub, src/cache/redis-tier.ts). It
 * only shortens the delay: a message can be lost (a subscriber reconnecting), so the store's feed
 * stays the guarantee.
 */
export interface InvalidationBus {
  publish(keys: readonly string[]): void;
  subscribe(listener: InvalidationListener): void;
}

/** A cache tier other processes read (Redis, src/cache/redis-answer-tier.ts): told every change. */
export interface SharedTierSink {
  /** Never throws: a failure is the tier's to report, and the feed re-applies what it reads. */
  invalidate(keys: readonly string[]): Promise<void>;
}

export interface InvalidationFeedOptions {
  store: InvalidationStore;
  /** Every change reaches every process's caches within this many ms (`cache.invalidationBoundMs`). */
  boundMs: number;
  now?: () => number;
  /** A poll failed (the store is down): logged by the caller; caches stop serving meanwhile. */
  onPollError?: (error: unknown) => void;
}

/**
 * The change feed between processes (issue 18 item 2): a change is told to this process's caches
 * at once and appended to the store, and every process polls the store often enough that a
 * change made anywhere is applied everywhere within `boundMs`. A process that cannot show it
 * polled within the bound (the store is down, the loop stalled) is not `fresh`: its caches must
 * neither serve nor fill until it is, so an outage makes answers slower, never stale.
 */
export class InvalidationFeed {
  private readonly store: InvalidationStore;
  private readonly boundMs: number;
  private readonly now: () => number;
  private readonly pollErrorListeners: ((error: unknown) => void)[] = [];
  private readonly listeners = new Set<InvalidationListener>();
  /** Ids of records already applied, with their time, for the overlapping windows. */
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private lastPollStart: number | undefined;
  private lastPrune = 0;
  private polling: Promise<void> | undefined;
  private bus: InvalidationBus | undefined;
  private readonly sharedTiers: SharedTierSink[] = [];

  constructor(options: InvalidationFeedOptions) {
    this.store = options.store;
    this.boundMs = options.boundMs;
    this.now = options.now ?? Date.now;
    if (options.onPollError) this.pollErrorListeners.push(options.onPollError);
  }

  /** Told of each failed poll (the server counts them in its metrics). */
  onPollFailure(listener: (error: unknown) => void): void {
    this.pollErrorListeners.push(listener);
  }

  subscribe(listener: InvalidationListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Carries changes to the other processes faster than polling (the Redis tier). */
  attachBus(bus: InvalidationBus): void {
    this.bus = bus;
    bus.subscribe((keys) => this.tell(keys));
  }

  /**
   * Has a shared tier told each change: when it is published here, and again when any process's
   * record of it is read from the store, so a change that could not reach the tier at once (Redis
   * away for this process only) reaches it within the bound all the same.
   */
  attachSharedTier(tier: SharedTierSink): void {
    this.sharedTiers.push(tier);
  }

  /** Tells this process's caches now, then records the change for every other process. */
  async publish(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.tell(keys);
    await this.store.append(keys);
    // After the append: a process told by the bus, or missing in the shared tier, reads the
    // store's new state, never the old. The shared tier first: a process told by the bus must
    // not find the old answer there.
    for (const tier of this.sharedTiers) await tier.invalidate(keys);
    this.bus?.publish(keys);
  }

  /**
   * Whether every change committed more than `boundMs` ago has been applied here: the last
   * successful poll started within the bound.
   */
  fresh(): boolean {
    return this.lastPollStart !== undefined && this.now() - this.lastPollStart <= this.boundMs;
  }

  /** Polls at a quarter of the bound, so one late or failed poll still keeps it. */
  start(): void {
    if (this.timer) return;
    const interval = Math.max(25, Math.floor(this.boundMs / 4));
    const tick = () => {
      void this.poll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, interval).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One poll now (tests and start-up); concurrent calls share it. */
  poll(): Promise<void> {
    this.polling ??= this.readOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async readOnce(): Promise<void> {
    const started = this.now();
    const since = (this.lastPollStart ?? started) - OVERLAP_MS;
    try {
      const records = await this.store.since(since, READ_LIMIT);
      if (records.length >= READ_LIMIT) {
        // More changes than one read holds: drop everything rather than miss one.
        this.tell([EVERYTHING]);
      } else {
        for (const record of records) {
          if (this.seen.has(record.id)) continue;
          this.seen.set(record.id, record.time);
          this.tell(record.keys);
          for (const tier of this.sharedTiers) await tier.invalidate(record.keys);
        }
      }
      for (const [id, time] of this.seen) if (time < since) this.seen.delete(id);
      this.lastPollStart = started;
      if (started - this.lastPrune >= RETENTION_MS) {
        this.lastPrune = started;
        await this.store.pruneBefore(started - RETENTION_MS);
      }
    } catch (error) {
      // Not fresh any more once the bound passes; what is cached now may go stale: drop it.
      this.tell([EVERYTHING]);
      for (const listener of this.pollErrorListeners) listener(error);
    }
  }

  private tell(keys: readonly string[]): void {
    for (const listener of this.listeners) listener(keys);
  }
}
