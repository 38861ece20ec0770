import type { Context, Middleware } from 'koa';
import { CLIENT_OWNED_MODELS } from '../clients/client-service.ts';
import { initialAccessTokenId } from '../clients/initial-access-tokens.ts';
import type { Logger } from '../logging/logger.ts';
import { REGISTRATION_POLICY_STATE, type RegistrationPolicy } from '../oidc/registration-hook.ts';
import type { Config } from '../config/schema.ts';
import { createRegistrationPolicy } from '../clients/registration-policy.ts';
import type { OidcModelStore, Store } from '../storage/ports.ts';
import { createAuditLog, type Actor, type AuditLog } from './audit-log.ts';

/**
 * The host's part in RFC 7591/7592 registration, which the provider answers at /reg:
 * - hands the provider our registration policy for the request (see REGISTRATION_POLICY_STATE);
 * - records registrations, updates and deletions in the audit log, as admin changes are;
 * - when a client deletes itself (RFC 7592 §2.3), deletes its tokens and grants too, as the
 *   admin API does (the provider deletes only the client and its registration access token).
 */

function isRegistrationPath(path: string): boolean {
  return path === '/reg' || path.startsWith('/reg/');
}

function bearerOf(ctx: Context): string | undefined {
  return /^Bearer +(\S+)$/i.exec(ctx.get('authorization'))?.[1];
}

export function registrationHooks(deps: {
  policy: RegistrationPolicy;
  audit: Pick<AuditLog, 'record'>;
  oidc: OidcModelStore;
  log: Logger;
}): Middleware {
  return async function registrationHooks(ctx, next) {
    if (!isRegistrationPath(ctx.path)) {
      await next();
      return;
    }
    ctx.state[REGISTRATION_POLICY_STATE] = deps.policy;
    await next();

    const clientId =
      ctx.path === '/reg'
        ? (ctx.body as { client_id?: unknown } | undefined)?.client_id
        : decodeURIComponent(ctx.path.slice(5));
    if (typeof clientId !== 'string') return;
    const token = bearerOf(ctx);
    const who: Actor = {
      // The registrant has no admin identity: name the credential it used (public id only).
      actor:
        ctx.method === 'POST' && token
          ? `initial_access_token:${initialAccessTokenId(token)}`
          : 'registration_access_token',
      ip: ctx.ip || undefined,
      userAgent: ctx.get('user-agent') || undefined,
      requestId: typeof ctx.state.requestId === 'string' ? ctx.state.requestId : undefined,
    };
    try {
      if (ctx.method === 'POST' && ctx.path === '/reg' && ctx.status === 201) {
        await deps.audit.record(who, { type: 'registration.client.created', clientId });
      } else if (ctx.method === 'PUT' && ctx.status === 200) {
        await deps.audit.record(who, { type: 'registration.client.updated', clientId });
      } else if (ctx.method === 'DELETE' && ctx.status === 204) {
        for (const model of CLIENT_OWNED_MODELS) await deps.oidc.revokeByClientId(model, clientId);
        await deps.audit.record(who, { type: 'registration.client.deleted', clientId });
      }
    } catch (err) {
      // The registration itself succeeded and was answered; losing its audit line is logged.
      deps.log.error(
        { err, requestId: who.requestId, clientId },
        'could not record a client registration',
      );
    }
  };
}

/** The registration hooks with the policy and audit log they act with, for the hooks table. */
export function createRegistrationHooks(deps: {
  config: Pick<Config, 'env'>;
  store: Pick<Store, 'oidc' | 'counters' | 'events'>;
  log: Logger;
  now?: () => number;
}): Middleware {
  return registrationHooks({
    policy: createRegistrationPolicy({
      oidc: deps.store.oidc,
      counters: deps.store.counters,
      rules: { allowHttpLoopbackForWebClients: deps.config.env !== 'production' },
    }),
    audit: createAuditLog({ events: deps.store.events, now: deps.now }),
    oidc: deps.store.oidc,
    log: deps.log,
  });
}
