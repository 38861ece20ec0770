import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import type { FastLane } from '../http/fast-lane.ts';
import { AnswerCache } from '../cache/answer-cache.ts';
import { EVERYTHING, type InvalidationFeed } from '../cache/invalidation-feed.ts';
import type { SharedAnswerTier } from '../cache/redis-answer-tier.ts';
import type { Config } from '../config/schema.ts';
import { cacheObserver } from '../metrics/cache-observer.ts';
import type { Metrics } from '../metrics/create-metrics.ts';
import {
  introspectionAnswerCache,
  introspectionFastLane,
  type CachedIntrospection,
} from './introspection-answer-cache.ts';
import { INTROSPECTION_PATH } from './provider-configuration.ts';

const passThrough: Middleware = (_ctx, next) => next();

export interface IntrospectionCache {
  /** In the host chain: fills the cache from the engine, answers hits that reach it. */
  middleware: Middleware;
  /** Before the host chain (src/http/fast-lane.ts): answers hits; none when the cache is off. */
  lane: FastLane | undefined;
}

/**
 * The introspection answer cache as `cache.introspection` configures it, subscribed to the
 * invalidation feed; a pass-through when it is off. The caller starts and stops the feed.
 */
export function buildIntrospectionCache(deps: {
  config: Config;
  invalidation: InvalidationFeed;
  metrics: Metrics | undefined;
  /** The shared tier (Redis), when there is one. */
  shared?: SharedAnswerTier;
  now?: () => number;
}): IntrospectionCache {
  const { enabled, maxEntries } = deps.config.cache.introspection;
  if (!enabled) return { middleware: passThrough, lane: undefined };
  const cache = new AnswerCache<CachedIntrospection>({
    maxEntries,
    now: deps.now,
    observer: deps.metrics ? cacheObserver(deps.metrics, 'introspection') : undefined,
  });
  deps.invalidation.subscribe((keys) => {
    if (keys.includes(EVERYTHING)) cache.clear();
    else cache.invalidate(keys);
  });
  const fresh = () => deps.invalidation.fresh();
  const missedByLane = new WeakSet<IncomingMessage>();
  const path = INTROSPECTION_PATH;
  return {
    middleware: introspectionAnswerCache({
      cache,
      fresh,
      path,
      now: deps.now,
      missedByLane,
      shared: deps.shared,
    }),
    lane: introspectionFastLane({ cache, fresh, path, missedByLane }),
  };
}
