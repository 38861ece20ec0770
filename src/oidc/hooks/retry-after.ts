import type { Middleware } from 'koa';

/** Seconds a client should wait before retrying; our own 503 page uses the same value. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * Adds `Retry-After` to every 503 answered further down the chain (the provider's
 * `temporarily_unavailable` during a store outage), unless one is already set. RFC 9110 §10.2.3:
 * with a 503 it tells clients how long the outage is expected to last, so well-behaved ones back
 * off instead of hammering a recovering database.
 */
export function retryAfter(options: { seconds?: number } = {}): Middleware {
  const value = String(options.seconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  return async function retryAfter(ctx, next) {
    await next();
    if (ctx.status === 503 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', value);
  };
}
