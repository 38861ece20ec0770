import type { Middleware } from 'koa';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { routeOf } from '../http/request-logger.ts';
import type { Tracing } from './tracing.ts';

/**
 * A server span per incoming request (OpenTelemetry HTTP semantic conventions: named
 * `{method} {route}`, never with the query string, which carries codes and tokens). Store calls
 * made while answering become its children. An incoming `traceparent` is continued only from a
 * trusted proxy, as with `X-Request-Id`.
 */
export function traceRequests(options: { tracing: Tracing; trustIncoming: boolean }): Middleware {
  return async function traceRequests(ctx, next) {
    const traceparent = options.trustIncoming ? ctx.get('traceparent') || undefined : undefined;
    await options.tracing.inSpan(
      ctx.method,
      {
        kind: 'server',
        traceparent,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: ctx.method, [ATTR_URL_PATH]: ctx.path },
      },
      async (span) => {
        try {
          await next();
        } finally {
          const route = routeOf(ctx);
          span.updateName(`${ctx.method} ${route}`);
          span.setAttributes({
            [ATTR_HTTP_ROUTE]: route,
            [ATTR_HTTP_RESPONSE_STATUS_CODE]: ctx.status,
            'portcullis.request_id': String(ctx.state.requestId ?? ''),
          });
          // HTTP semantic conventions: a server span fails on 5xx only (4xx are the client's).
          if (ctx.status >= 500) span.fail();
        }
      },
    );
  };
}
