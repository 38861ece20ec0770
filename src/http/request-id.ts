import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

const VALID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id, answered in `X-Request-Id` and shown on error pages so a user can
 * quote it to support. An incoming id is kept only from a trusted proxy (it may carry the id of a
 * load balancer's trace); otherwise a client could inject misleading ids into our logs.
 */
export function chooseRequestId(incoming: string | undefined, trustIncoming: boolean): string {
  return trustIncoming && incoming !== undefined && VALID.test(incoming) ? incoming : randomUUID();
}

export function requestId(options: { trustIncoming: boolean }): Middleware {
  return async function requestId(ctx, next) {
    const id = chooseRequestId(ctx.get('x-request-id'), options.trustIncoming);
    ctx.state.requestId = id;
    // The provider reads it from the raw request when it logs its own errors.
    ctx.req.headers['x-request-id'] = id;
    ctx.set('X-Request-Id', id);
    await next();
  };
}
