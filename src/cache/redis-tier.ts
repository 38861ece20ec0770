import type { Redis } from 'ioredis';
import type { CounterStore, Store } from '../storage/ports.ts';
import type { InvalidationBus, InvalidationListener } from './invalidation-feed.ts';
import { isReady, openRedis } from './redis-connection.ts';
import { redisCounterStore } from './redis-counter-store.ts';
import { redisAnswerTier, type SharedAnswerTier } from './redis-answer-tier.ts';

const CHANNEL = 'portcullis:invalidations';

export interface RedisTier {
  /** Pub/sub for the invalidation feed: changes reach other processes and hosts at once. */
  readonly bus: InvalidationBus;
  /** The shared tier of the answer cache `name` (src/cache/redis-answer-tier.ts). */
  answers(name: string): SharedAnswerTier;
  /** `store` with its counters in Redis, the store's own as the fallback. */
  withCounters(store: Store): Store;
  /** Both connections take commands; otherwise everything goes to the store (`/readyz` says so). */
  healthy(): boolean;
  close(): Promise<void>;
}

/**
 * `store` with its `counters` port replaced, and its sweep sweeping both sides; every other
 * member is the store's own.
 */
export function withCounterStore(store: Store, counters: CounterStore): Store {
  const sweepExpired = async () => (await store.sweepExpired()) + (await counters.sweepExpired());
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'counters') return counters;
      if (prop === 'sweepExpired') return sweepExpired;
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/**
 * The optional Redis tier (`cache.redisUrl`, issue 18 item 3): atomic counters shared by every
 * process and host, and pub/sub for cache invalidations. Never the only copy of anything: the
 * store keeps the truth and the feed, and while Redis is away the counters and the feed work on
 * the store alone, so an outage makes things slower, never wrong. Reconnection is ioredis's.
 */
export function openRedisTier(deps: {
  url: string;
  log: {
    warn(fields: Record<string, unknown>, message: string): void;
    info(fields: Record<string, unknown>, message: string): void;
  };
  now?: () => number;
  onFallback?: () => void;
  /** A lookup in a shared answer tier, by cache and result. */
  onSharedLookup?: (cache: string, result: 'hit' | 'miss') => void;
}): RedisTier {
  let wasHealthy: boolean | undefined;
  const report = () => {
    const now = isReady(commands) && isReady(subscriber);
    if (now === wasHealthy) return;
    wasHealthy = now;
    if (now) deps.log.info({ event: 'cache.redis.up' }, 'Redis tier connected');
    else deps.log.warn({ event: 'cache.redis.down' }, 'Redis tier unreachable; using the store');
  };
  const onError = () => report();
  // Subscribing takes a connection for itself (Redis protocol): one for commands, one for messages.
  const commands: Redis = openRedis(deps.url, onError);
  const subscriber: Redis = openRedis(deps.url, onError);
  for (const connection of [commands, subscriber]) {
    connection.on('ready', report);
    connection.on('close', report);
  }
  const listeners: InvalidationListener[] = [];
  subscriber.on('ready', () => {
    subscriber.subscribe(CHANNEL).catch(() => undefined);
  });
  subscriber.on('message', (channel: string, message: string) => {
    if (channel !== CHANNEL) return;
    let keys: unknown;
    try {
      keys = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(keys) || !keys.every((k): k is string => typeof k === 'string')) return;
    for (const listener of listeners) listener(keys);
  });

  return {
    bus: {
      publish(keys) {
        if (!isReady(commands)) return;
        commands.publish(CHANNEL, JSON.stringify(keys)).catch(() => undefined);
      },
      subscribe(listener) {
        listeners.push(listener);
      },
    },
    answers(name) {
      return redisAnswerTier({
        redis: commands,
        name,
        now: deps.now,
        onError: () => deps.onFallback?.(),
        observe: deps.onSharedLookup && ((result) => deps.onSharedLookup?.(name, result)),
      });
    },
    withCounters(store) {
      return withCounterStore(
        store,
        redisCounterStore({
          redis: commands,
          fallback: store.counters,
          now: deps.now,
          onFallback: deps.onFallback,
        }),
      );
    },
    healthy: () => isReady(commands) && isReady(subscriber),
    async close() {
      commands.disconnect();
      subscriber.disconnect();
    },
  };
}
