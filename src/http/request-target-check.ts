import type { Middleware } from 'koa';
import { parseRequestTarget } from './parse-request-target.ts';

/**
 * Refuses a request target that cannot be parsed (e.g. `GET http://[bad/ HTTP/1.1`) with 400
 * before anything reads the URL: Koa's `path` getter throws on it, which made even the request
 * logger fail and Koa answer a bare 500 (bad input gets a 4xx). It runs first, before the error
 * handler and the views, so it answers in the plain OAuth error shape itself: no browser sends
 * such a target, only a hand-made request can.
 */
export function requestTargetCheck(): Middleware {
  return async function requestTargetCheck(ctx, next) {
    if (parseRequestTarget(ctx.req.url ?? '').form !== 'invalid') return next();
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = { error: 'invalid_request', error_description: 'The request target is malformed.' };
  };
}
