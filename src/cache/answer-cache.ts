import { LRUCache } from 'lru-cache';

/** What a cache reports, per cache name (src/metrics/create-metrics.ts turns it into series). */
export interface CacheObserver {
  lookup(result: 'hit' | 'miss'): void;
  /** An entry left: `evict` (the size limit), `expire`, `invalidate` (a change named it), `clear`. */
  removed(reason: 'evict' | 'expire' | 'invalidate' | 'clear'): void;
  size(entries: number): void;
}

export interface AnswerCacheOptions {
  /** At most this many entries; the least recently used goes first (issue 18 item 1). */
  maxEntries: number;
  now?: () => number;
  observer?: CacheObserver | undefined;
}

export interface CachedEntry<V> {
  value: V;
  /** Epoch ms after which the entry is never served (the token's or grant's expiry). */
  expiresAt: number;
  /** The invalidation keys that drop it (src/oidc/invalidation-keys.ts). */
  tags: readonly string[];
}

/**
 * A bounded in-process cache whose entries are dropped by the changes that name them: each entry
 * carries tags (a token, its grant, its account), and `invalidate(tags)` drops every entry
 * carrying one of them.
 *
 * The race every read-through cache has — a reader loads the old state, a change lands and is
 * processed, then the reader stores what it loaded — is closed with a generation number: a
 * writer takes `generation()` before it reads the store and `set` refuses its entry if any
 * invalidation was processed since. A burst of changes lowers the hit rate; it never serves a
 * stale answer.
 *
 * lru-cache does the bounding and recency; the tag index is ours (lru-cache has none).
 */
export class AnswerCache<V> {
  private readonly lru: LRUCache<string, CachedEntry<V>>;
  private readonly byTag = new Map<string, Set<string>>();
  private readonly now: () => number;
  private readonly observer: CacheObserver | undefined;
  private gen = 0;
  /** Why the entry being deleted leaves, for the dispose callback (lru-cache says only "delete"). */
  private leaving: 'expire' | 'invalidate' | 'clear' | undefined;

  constructor(options: AnswerCacheOptions) {
    this.now = options.now ?? Date.now;
    this.observer = options.observer;
    this.lru = new LRUCache<string, CachedEntry<V>>({
      max: Math.max(1, options.maxEntries),
      dispose: (entry, key, reason) => {
        this.untag(key, entry.tags);
        if (reason === 'evict') this.observer?.removed('evict');
        else if (reason === 'delete' && this.leaving) this.observer?.removed(this.leaving);
      },
    });
  }

  /** The number to hand back to `set` (see the class comment). */
  generation(): number {
    return this.gen;
  }

  get size(): number {
    return this.lru.size;
  }

  get(key: string): V | undefined {
    const entry = this.lru.get(key);
    if (entry !== undefined && entry.expiresAt <= this.now()) {
      this.remove(key, 'expire');
      this.observer?.lookup('miss');
      return undefined;
    }
    this.observer?.lookup(entry === undefined ? 'miss' : 'hit');
    return entry?.value;
  }

  /** Stores `entry` unless an invalidation ran since `generation` was taken; says which. */
  set(key: string, entry: CachedEntry<V>, generation: number): boolean {
    if (generation !== this.gen || entry.expiresAt <= this.now()) return false;
    this.lru.set(key, entry);
    for (const tag of entry.tags) {
      let keys = this.byTag.get(tag);
      if (!keys) {
        keys = new Set();
        this.byTag.set(tag, keys);
      }
      keys.add(key);
    }
    this.observer?.size(this.lru.size);
    return true;
  }

  /** Drops every entry tagged with one of `tags`. */
  invalidate(tags: readonly string[]): void {
    this.gen += 1;
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.remove(key, 'invalidate');
    }
    this.observer?.size(this.lru.size);
  }

  /** Drops everything (a change no tag names, e.g. a client's metadata). */
  clear(): void {
    this.gen += 1;
    this.leaving = 'clear';
    for (let i = this.lru.size; i > 0; i -= 1) this.observer?.removed('clear');
    this.leaving = undefined;
    this.lru.clear();
    this.byTag.clear();
    this.observer?.size(0);
  }

  private remove(key: string, reason: 'expire' | 'invalidate'): void {
    this.leaving = reason;
    this.lru.delete(key);
    this.leaving = undefined;
  }

  private untag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(tag);
    }
  }
}
