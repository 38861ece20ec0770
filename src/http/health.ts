import type { Middleware } from 'koa';
import type { Store } from '../storage/ports.ts';

const READY_TIMEOUT_MS = 2_000;

/**
 * `/healthz`: the process is alive (liveness; never touches the store, so a database outage does
 * not get every process restarted). `/readyz`: the store answers within 2 s (readiness; a load
 * balancer stops sending traffic until it does). Both bypass the host check: probes address pods
 * by IP, and these answers contain no URLs.
 */
export function health(options: {
  store: Pick<Store, 'ping'>;
  keysLoaded: () => boolean;
  /**
   * The optional cache tier (Redis): reported as `cache: ok | degraded`, never failing readiness,
   * since the store takes over while it is away. Absent when none is configured.
   */
  cacheTierHealthy?: (() => boolean) | undefined;
}): Middleware {
  return async function health(ctx, next) {
    if (ctx.path !== '/healthz' && ctx.path !== '/readyz') return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      ctx.status = 405;
      ctx.set('Allow', 'GET, HEAD');
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/healthz') {
      ctx.body = { status: 'ok' };
      return;
    }
    const checks: Record<string, 'ok' | 'failing' | 'degraded'> = {
      store: 'ok',
      keys: options.keysLoaded() ? 'ok' : 'failing',
    };
    if (options.cacheTierHealthy) checks.cache = options.cacheTierHealthy() ? 'ok' : 'degraded';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        options.store.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
        }),
      ]);
    } catch {
      checks.store = 'failing';
    } finally {
      clearTimeout(timer);
    }
    const ready = Object.values(checks).every((c) => c !== 'failing');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ok' : 'unavailable', checks };
  };
}
