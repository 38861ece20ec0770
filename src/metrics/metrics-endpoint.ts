import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

/** What a scrape answers: Prometheus text exposition format. */
export interface MetricsText {
  contentType: string;
  body: string;
}

export type CollectMetrics = () => Promise<MetricsText>;

/** Compares a presented `Authorization` header with `Bearer <token>` in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  // Hashing first gives equal lengths, so timingSafeEqual cannot throw or leak the length.
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

/**
 * `/metrics` on the public port (`metrics.onMainPort`): answered only to a bearer of the metrics
 * token (the schema refuses the setting without one), so that counts and timings of a public
 * service are not public too.
 */
export function metricsEndpoint(options: { token: string; collect: CollectMetrics }): Middleware {
  return async function metricsEndpoint(ctx, next) {
    if (ctx.path !== '/metrics') return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    if (!bearerMatches(ctx.get('authorization') || undefined, options.token)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      return;
    }
    const metrics = await options.collect();
    ctx.type = metrics.contentType;
    ctx.body = metrics.body;
  };
}
