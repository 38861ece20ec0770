import type { CacheObserver } from '../cache/answer-cache.ts';
import type { Metrics } from './create-metrics.ts';

/** A cache's reports as series labelled with its name; the labelled children made once. */
export function cacheObserver(
  metrics: Pick<Metrics, 'cacheLookups' | 'cacheRemovals' | 'cacheEntries'>,
  cache: string,
): CacheObserver {
  const hits = metrics.cacheLookups.labels(cache, 'hit');
  const misses = metrics.cacheLookups.labels(cache, 'miss');
  const entries = metrics.cacheEntries.labels(cache);
  hits.inc(0);
  misses.inc(0);
  entries.set(0);
  return {
    lookup: (result) => (result === 'hit' ? hits : misses).inc(),
    removed: (reason) => metrics.cacheRemovals.inc({ cache, reason }),
    size: (count) => entries.set(count),
  };
}
