import type { Context, Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.ts';
import type { Logger } from '../logging/logger.ts';
import { StoreUnavailableError } from '../storage/ports.ts';
import { errorPage } from '../ui/error-page.ts';
import type { ViewRenderer } from '../ui/render-view.ts';

export interface ErrorHandlerDeps {
  log: Logger;
  render: ViewRenderer;
  productName: string;
  languageOf: (ctx: Context) => string;
  /** Whether the request may get an HTML error page; client endpoints answer JSON whatever
   *  `Accept` says (RFC 6749 §5.2). Every request may when absent. */
  mayRenderHtml?: ((ctx: Context) => boolean) | undefined;
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 503:
      return 'store_unavailable';
    default:
      return status >= 500 ? 'internal_error' : 'invalid_request';
  }
}

/** Normalises anything thrown into a catalogue error; unknown errors become a generic 500. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof StoreUnavailableError)
    return new AppError('store_unavailable', undefined, { cause: err });
  const status = (err as { status?: unknown })?.status;
  // @koa/router answers methods it has never heard of (TRACE, PROPFIND …) with 501 and no
  // `expose`; to a client that is a method this server does not allow (ASVS 13.4.4), not our
  // failure, so it is a 405 rather than a generic 500.
  if (status === 501) {
    return new AppError('method_not_allowed', undefined, { cause: err });
  }
  if (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    (err as { expose?: unknown }).expose === true
  ) {
    return new AppError(codeForStatus(status), undefined, { cause: err });
  }
  return new AppError('internal_error', undefined, { cause: err });
}

/**
 * Error handling for Portcullis's own routes (pages, health, assets). The provider answers its
 * own errors in OAuth shape and is never rewrapped. 4xx show the catalogue message; 5xx are
 * logged with the request id and shown generically, never with a stack (ASVS 16.5.1).
 */
export function errorHandler(deps: ErrorHandlerDeps): Middleware {
  return async function errorHandler(ctx, next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not_found');
    } catch (thrown) {
      const err = toAppError(thrown);
      const requestId = String(ctx.state.requestId ?? '');
      if (err.status >= 500) {
        deps.log.error({ err: err.cause ?? err, requestId, path: ctx.path }, 'request failed');
      }
      ctx.status = err.status;
      ctx.set('Cache-Control', 'no-store');
      if (err.status === 503) ctx.set('Retry-After', '5');
      if (err.status === 405) ctx.set('Allow', 'GET, POST');
      if ((deps.mayRenderHtml?.(ctx) ?? true) && ctx.accepts('json', 'html') === 'html') {
        ctx.type = 'html';
        ctx.body = await deps.render(
          'error',
          errorPage({
            status: err.status,
            message: err.expose ? ERROR_CODES[err.code].message : undefined,
            requestId,
            productName: deps.productName,
            lang: deps.languageOf(ctx),
          }),
        );
      } else {
        ctx.body = {
          error: err.code,
          error_description: err.expose
            ? ERROR_CODES[err.code].message
            : ERROR_CODES.internal_error.message,
          ...(err.expose && err.details ? { details: err.details } : {}),
          request_id: requestId,
        };
      }
    }
  };
}
