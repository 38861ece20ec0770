import { Redis } from 'ioredis';

/**
 * A connection to the optional Redis tier (`cache.redisUrl`, issue 18 item 3). Redis is never
 * the only copy of anything (the store is the truth), so a command must fail fast while Redis is
 * away rather than queue: the caller falls back to the store at once. ioredis reconnects by
 * itself, with a capped backoff, and recovery needs no restart.
 */
export function openRedis(url: string, onError: (error: Error) => void): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 2_000),
  });
  // Without a listener ioredis prints every failed reconnect; the caller logs once per change.
  redis.on('error', onError);
  return redis;
}

/** Whether a connection can take commands now. */
export const isReady = (redis: Redis): boolean => redis.status === 'ready';
