import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';

/**
 * Paths answered to programs, not browsers: the provider's OAuth endpoints (its default
 * `routes`), discovery, the admin API and the probes. Their errors always have the JSON shape,
 * whatever `Accept` says (RFC 6749 §5.2).
 */
const API_PATHS =
  /^\/(?:token|reg|request|me|jwks|\.well-known|admin|backchannel|device\/auth|healthz|readyz|metrics)(?=$|[/%?])/;

/** True when `path` decodes, i.e. every `%` starts a valid UTF-8 percent-encoding. */
function decodes(path: string): boolean {
  if (!path.includes('%')) return true;
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refuses a path with malformed percent-encoding (`GET /reg/%E0%A4%A`) with 400 before any
 * router decodes it: the routers' `decodeURIComponent` threw, and the provider answered 500 (bad
 * input gets a 4xx, never a 5xx). Runs inside the error handler: browser routes get the HTML
 * error page (by `Accept`), OAuth and API paths the JSON error shape.
 */
export function pathEncodingCheck(): Middleware {
  return async function pathEncodingCheck(ctx, next) {
    if (decodes(ctx.path)) return next();
    if (!API_PATHS.test(ctx.path))
      throw new AppError('invalid_request', { path: 'malformed percent-encoding' });
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: 'invalid_request',
      error_description: 'The request path has malformed percent-encoding.',
    };
  };
}
