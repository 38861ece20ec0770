import { AsyncLocalStorage } from 'node:async_hooks';
import type { Middleware } from 'koa';

/** Who and where a request came from, as security events record it. */
export interface RequestContext {
  ip?: string | undefined;
  userAgent?: string | undefined;
  requestId?: string | undefined;
  /** Who acts, when a layer below knows better than "the signed-in user" (e.g. an admin client). */
  actor?: string | undefined;
}

/**
 * The request being served, reachable from code that is handed no Koa context: the storage
 * decorator that records client changes, the account service called by the admin API. One
 * instance per app (no module state); `middleware` must run after `clientIp` and `requestId`.
 */
export function createRequestContext() {
  const storage = new AsyncLocalStorage<RequestContext>();
  return {
    current: (): RequestContext | undefined => storage.getStore(),
    middleware(): Middleware {
      return async function requestContext(ctx, next) {
        const context: RequestContext = {
          ip: ctx.request.ip,
          userAgent: ctx.get('user-agent') || undefined,
          requestId: typeof ctx.state.requestId === 'string' ? ctx.state.requestId : undefined,
        };
        await storage.run(context, next);
      };
    },
  };
}

export type RequestContextHolder = ReturnType<typeof createRequestContext>;
