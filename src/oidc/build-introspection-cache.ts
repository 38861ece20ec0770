import type { Middleware } from 'koa';
import { AnswerCache } from '../cache/answer-cache.ts';
import { EVERYTHING, type InvalidationFeed } from '../cache/invalidation-feed.ts';
import type { Config } from '../config/schema.ts';
import { cacheObserver } from '../metrics/cache-observer.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import {
  introspectionAnswerCache,
  type CachedIntrospection,
} from './introspection-answer-cache.ts';
import { INTROSPECTION_PATH } from './provider-configuration.ts';

const passThrough: Middleware = (_ctx, next) => next();

/**
 * The introspection answer cache as `cache.introspection` configures it, subscribed to the
 * invalidation feed; a pass-through when it is off. The caller starts and stops the feed.
 */
export function buildIntrospectionCache(deps: {
  config: Config;
  invalidation: InvalidationFeed;
  metrics: Metrics | undefined;
  now?: () => number;
}): Middleware {
  const { enabled, maxEntries } = deps.config.cache.introspection;
  if (!enabled) return passThrough;
  const cache = new AnswerCache<CachedIntrospection>({
    maxEntries,
    now: deps.now,
    observer: deps.metrics ? cacheObserver(deps.metrics, 'introspection') : undefined,
  });
  deps.invalidation.subscribe((keys) => {
    if (keys.includes(EVERYTHING)) cache.clear();
    else cache.invalidate(keys);
  });
  return introspectionAnswerCache({
    cache,
    fresh: () => deps.invalidation.fresh(),
    path: INTROSPECTION_PATH,
    now: deps.now,
  });
}
