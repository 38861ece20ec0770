import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { ADMIN_ROUTES, koaPath } from './admin-routes.ts';
import type { AdminServices } from './admin-services.ts';
import type { Actor } from './audit-log.ts';
import { ADMIN_CLIENT_STATE, ADMIN_SCOPES_STATE } from './require-admin-token.ts';

/**
 * The admin API's router (mounted at /admin/v1), built from the route table (admin-routes.ts):
 * each route reads its typed input here and hands it to the table's handler. Route names are the
 * OpenAPI `operationId`s (a test checks every route is in the document and vice versa).
 */

/** Who is asking, for the audit log: the admin client, its IP (as `trustProxy` allows) and user agent. */
function actorOf(ctx: Context): Actor {
  return {
    actor: String(ctx.state[ADMIN_CLIENT_STATE]),
    ip: ctx.ip || undefined,
    userAgent: ctx.get('user-agent') || undefined,
    requestId: typeof ctx.state.requestId === 'string' ? ctx.state.requestId : undefined,
  };
}

/**
 * The query string as a typed object. A parameter given twice is refused rather than one of
 * its values picked (ASVS 15.3.7, parameter pollution).
 */
function query<T>(ctx: Context, schema: z.ZodType<T>): T {
  const values = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(ctx.querystring)) {
    if (values.has(key))
      throw new AppError('invalid_request', { [key.slice(0, 64)]: 'must be given at most once' });
    values.set(key, value);
  }
  const parsed = schema.safeParse(Object.fromEntries(values));
  if (!parsed.success) {
    const details = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys')
        for (const k of issue.keys)
          details.set(k.slice(0, 64), 'is not a parameter of this listing');
      else details.set(issue.path.map(String).join('.') || 'query', issue.message);
    }
    throw new AppError('invalid_request', Object.fromEntries(details));
  }
  return parsed.data;
}

export function createAdminRouter(services: AdminServices): Router {
  const router = new Router();
  // In table order: the order of `Allow` in 405 answers follows it.
  for (const route of ADMIN_ROUTES) {
    router[route.method](route.operationId, koaPath(route.path), async (ctx) => {
      // RFC 6750 §3.1: a token without the operation's scope is `insufficient_scope` (403),
      // before the query or body is looked at.
      const held = ctx.state[ADMIN_SCOPES_STATE] as ReadonlySet<string> | undefined;
      if (!held?.has(route.scope)) throw new AppError('insufficient_scope', { scope: route.scope });
      const reply = await route.handle(services, {
        id: ctx.params.id ?? '',
        // Only listings read the query string; other routes ignore it, as they always have.
        query: route.query ? query(ctx, route.query) : undefined,
        body: ctx.state.body,
        actor: actorOf(ctx),
      });
      ctx.status = reply.status;
      if (reply.location !== undefined)
        ctx.set('Location', `${ctx.mountPath ?? ''}${reply.location}`);
      if (reply.body !== undefined) ctx.body = reply.body;
    });
  }
  return router;
}
