import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';
import { ERROR_CODES } from '../errors/error-codes.ts';
import { describeDetails } from '../clients/client-rules.ts';
import { toAppError } from '../http/error-handler.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * Error handling of the admin API: every failure is JSON `{error, error_description, details?,
 * request_id}`, never HTML and never a stack (ASVS 16.5.1). 4xx show the catalogue code and,
 * when fields are at fault, `details` naming each (`error_description` then names them too, as
 * RFC 7591 §3.2.2 asks of `invalid_client_metadata`); 5xx are logged with the request id and
 * answered generically. 401 and 403 carry `WWW-Authenticate` as RFC 6750 §3 describes.
 */

const DESCRIBED_BY_DETAILS = new Set([
  'invalid_client_metadata',
  'invalid_redirect_uri',
  'invalid_input',
  'invalid_body',
]);

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`;
}

/** RFC 6750 §3: no error code when no token was sent; otherwise the code and what to do. */
function wwwAuthenticate(err: AppError, realm: string, scope: string): string | undefined {
  const description = quoted(ERROR_CODES[err.code].message);
  switch (err.code) {
    case 'authentication_required':
      return `Bearer realm=${quoted(realm)}, scope=${quoted(scope)}`;
    case 'invalid_token':
      return `Bearer realm=${quoted(realm)}, error="invalid_token", error_description=${description}`;
    case 'insufficient_scope':
      // RFC 6750 §3: `scope` names what the operation needs (the route's scope when known).
      return `Bearer realm=${quoted(realm)}, error="insufficient_scope", error_description=${description}, scope=${quoted(err.details?.scope ?? scope)}`;
    default:
      return undefined;
  }
}

export function adminErrorHandler(deps: { log: Logger; realm: string; scope: string }): Middleware {
  return async function adminErrorHandler(ctx, next) {
    try {
      await next();
      // Nothing answered: an unknown path (or a known one with another method, see the router).
      if (ctx.body === undefined && ctx.status === 405) throw new AppError('method_not_allowed');
      if (ctx.body === undefined && ctx.status === 404) throw new AppError('not_found');
    } catch (thrown) {
      const err = toAppError(thrown);
      const requestId = String(ctx.state.requestId ?? '');
      if (err.status >= 500) {
        deps.log.error(
          { err: err.cause ?? err, requestId, path: ctx.path },
          'admin API request failed',
        );
      } else if (err.status === 401 || err.status === 403) {
        deps.log.info(
          { event: 'admin.auth_refused', error: err.code, requestId, ip: ctx.ip },
          'admin API request refused',
        );
      }
      ctx.status = err.status;
      ctx.set('Cache-Control', 'no-store');
      if (err.status === 503) ctx.set('Retry-After', '5');
      const challenge = wwwAuthenticate(err, deps.realm, deps.scope);
      if (challenge) ctx.set('WWW-Authenticate', challenge);
      const details =
        err.expose && err.details && Object.keys(err.details).length > 0 ? err.details : undefined;
      ctx.type = 'application/json';
      ctx.body = {
        error: err.expose ? err.code : 'internal_error',
        error_description: !err.expose
          ? ERROR_CODES.internal_error.message
          : details && DESCRIBED_BY_DETAILS.has(err.code)
            ? describeDetails(details)
            : ERROR_CODES[err.code].message,
        ...(details ? { details } : {}),
        request_id: requestId,
      };
    }
  };
}
