import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { SecurityEvent } from '../storage/ports.ts';
import { auditQuerySchema, clampLimit, pageQuerySchema } from './admin-schemas.ts';
import type { AdminServices } from './admin-services.ts';
import type { Actor } from './audit-log.ts';
import { ADMIN_CLIENT_STATE } from './require-admin-token.ts';

/**
 * The admin API's routes (mounted at /admin/v1): each reads its typed input and calls one
 * admin operation, which validates, writes and records the audit entry. Route names are the
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

function page<T>(result: { items: T[]; nextCursor: string | undefined }) {
  return { items: result.items, next_cursor: result.nextCursor ?? null };
}

/** Audit events as the API shows them: ISO 8601 times, snake_case names. */
function eventView(event: SecurityEvent) {
  return {
    id: event.id,
    time: new Date(event.time).toISOString(),
    type: event.type,
    actor: event.actor ?? null,
    client_id: event.clientId ?? null,
    subject: event.subject ?? null,
    ip: event.ip ?? null,
    user_agent: event.userAgent ?? null,
    request_id: event.requestId ?? null,
    details: event.details ?? {},
  };
}

function created(ctx: Context, location: string, body: unknown): void {
  ctx.status = 201;
  ctx.set('Location', `${ctx.mountPath ?? ''}${location}`);
  ctx.body = body;
}

export function createAdminRouter(services: AdminServices): Router {
  const router = new Router();

  // Clients (RFC 7591 metadata; errors in RFC 7591 §3.2.2 shape).
  router.get('listClients', '/clients', async (ctx) => {
    const q = query(ctx, pageQuerySchema);
    ctx.body = page(await services.clients.list({ cursor: q.cursor, limit: clampLimit(q.limit) }));
  });
  router.post('createClient', '/clients', async (ctx) => {
    const client = await services.clients.create(ctx.state.body, actorOf(ctx));
    created(ctx, `/clients/${client.client_id}`, client);
  });
  router.get('getClient', '/clients/:id', async (ctx) => {
    ctx.body = await services.clients.get(ctx.params.id ?? '');
  });
  router.put('replaceClient', '/clients/:id', async (ctx) => {
    ctx.body = await services.clients.replace(ctx.params.id ?? '', ctx.state.body, actorOf(ctx));
  });
  router.patch('updateClient', '/clients/:id', async (ctx) => {
    ctx.body = await services.clients.update(
      ctx.params.id ?? '',
      ctx.state.body ?? {},
      actorOf(ctx),
    );
  });
  router.delete('deleteClient', '/clients/:id', async (ctx) => {
    await services.clients.remove(ctx.params.id ?? '', actorOf(ctx));
    ctx.status = 204;
  });
  router.post('rotateClientSecret', '/clients/:id/rotate-secret', async (ctx) => {
    ctx.body = await services.clients.rotateSecret(ctx.params.id ?? '', actorOf(ctx));
  });

  // Users (never a password hash).
  router.get('listUsers', '/users', async (ctx) => {
    const q = query(ctx, pageQuerySchema);
    ctx.body = page(await services.users.list({ cursor: q.cursor, limit: clampLimit(q.limit) }));
  });
  router.post('createUser', '/users', async (ctx) => {
    const user = await services.users.create(ctx.state.body, actorOf(ctx));
    created(ctx, `/users/${user.id}`, user);
  });
  router.get('getUser', '/users/:id', async (ctx) => {
    ctx.body = await services.users.get(ctx.params.id ?? '');
  });
  router.patch('updateUser', '/users/:id', async (ctx) => {
    ctx.body = await services.users.update(ctx.params.id ?? '', ctx.state.body, actorOf(ctx));
  });
  router.post('disableUser', '/users/:id/disable', async (ctx) => {
    ctx.body = await services.users.setDisabled(ctx.params.id ?? '', true, actorOf(ctx));
  });
  router.post('enableUser', '/users/:id/enable', async (ctx) => {
    ctx.body = await services.users.setDisabled(ctx.params.id ?? '', false, actorOf(ctx));
  });
  router.post('resetUserPassword', '/users/:id/password', async (ctx) => {
    ctx.body = await services.users.resetPassword(
      ctx.params.id ?? '',
      ctx.state.body,
      actorOf(ctx),
    );
  });

  // Initial access tokens for RFC 7591 registration (the token is shown once).
  router.get('listInitialAccessTokens', '/initial-access-tokens', async (ctx) => {
    const q = query(ctx, pageQuerySchema);
    ctx.body = page(
      await services.initialAccessTokens.list({ cursor: q.cursor, limit: clampLimit(q.limit) }),
    );
  });
  router.post('createInitialAccessToken', '/initial-access-tokens', async (ctx) => {
    const token = await services.initialAccessTokens.create(ctx.state.body ?? {}, actorOf(ctx));
    created(ctx, `/initial-access-tokens/${token.id}`, token);
  });
  router.delete('revokeInitialAccessToken', '/initial-access-tokens/:id', async (ctx) => {
    await services.initialAccessTokens.revoke(ctx.params.id ?? '', actorOf(ctx));
    ctx.status = 204;
  });

  // The audit log, newest first.
  router.get('listAuditEvents', '/audit-events', async (ctx) => {
    const q = query(ctx, auditQuerySchema);
    const result = await services.audit.list(
      {
        type: q.type,
        typePrefix: q.type_prefix,
        clientId: q.client_id,
        subject: q.subject,
        since: q.since,
        until: q.until,
      },
      { cursor: q.cursor, limit: clampLimit(q.limit) },
    );
    ctx.body = { items: result.items.map(eventView), next_cursor: result.nextCursor ?? null };
  });

  return router;
}
