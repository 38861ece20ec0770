import type { Context, Middleware } from 'koa';
import type { Logger } from '../logging/logger.ts';

/** What is known about a request once it has been answered. */
export interface RequestRecord {
  method: string;
  /** The route pattern (`/interaction/:uid/login`, `/token`), never the raw path: it may carry ids. */
  route: string;
  status: number;
  durationMs: number;
  requestId: string;
  clientId: string | undefined;
}

/** Answers of probes and scrapes: logged at debug level, or they would drown everything else. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The route pattern a request matched, as a bounded label for logs, metrics and spans. Our own
 * routers (@koa/router) and the provider's router both record the pattern in `_matchedRoute`.
 */
export function routeOf(ctx: Pick<Context, 'path'> & { _matchedRoute?: unknown }): string {
  if (typeof ctx._matchedRoute === 'string') return ctx._matchedRoute;
  if (QUIET_PATHS.has(ctx.path)) return ctx.path;
  if (ctx.path.startsWith('/assets/')) return '/assets/*';
  return 'unmatched';
}

/**
 * The client a provider request was made by or for, once the provider has loaded it, or as the
 * middleware that answered for it says (`ctx.state.clientId`: an answer replayed from a cache).
 */
export function clientIdOf(ctx: Context): string | undefined {
  const oidc = (ctx as { oidc?: { client?: { clientId?: unknown } } }).oidc;
  const clientId = oidc?.client?.clientId ?? (ctx.state as { clientId?: unknown }).clientId;
  return typeof clientId === 'string' ? clientId : undefined;
}

/**
 * One log line per request: method, route pattern, status, duration, request id and client id.
 * Never the query string, headers or body (they carry codes, tokens and cookies). `observe`
 * hands the same record to metrics, so both agree on what was measured.
 */
/** What metrics read of an answer beyond the record: the provider's route name and the body. */
export interface AnsweredRequest {
  _matchedRouteName?: unknown;
  body?: unknown;
}

export type ObserveRequest = (record: RequestRecord, answered: AnsweredRequest) => void;

/** The request's log line (one writer for the middleware and the fast lane). */
export function logRequest(log: Logger, record: RequestRecord, path: string): void {
  const level = QUIET_PATHS.has(path) ? 'debug' : record.status >= 500 ? 'error' : 'info';
  log[level](
    {
      event: 'http.request',
      method: record.method,
      route: record.route,
      status: record.status,
      durationMs: Math.round(record.durationMs * 100) / 100,
      requestId: record.requestId,
      ...(record.clientId ? { clientId: record.clientId } : {}),
    },
    `${record.method} ${record.route} ${record.status}`,
  );
}

export function requestLogger(deps: { log: Logger; observe?: ObserveRequest }): Middleware {
  return async function requestLogger(ctx, next) {
    const started = process.hrtime.bigint();
    let failed = false;
    try {
      await next();
    } catch (err) {
      // The error handler answers everything; this is only reached if it failed itself.
      failed = true;
      throw err;
    } finally {
      const record: RequestRecord = {
        method: ctx.method,
        route: routeOf(ctx),
        status: failed ? 500 : ctx.status,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        requestId: String(ctx.state.requestId ?? ''),
        clientId: clientIdOf(ctx),
      };
      deps.observe?.(record, ctx as AnsweredRequest);
      logRequest(deps.log, record, ctx.path);
    }
  };
}
