import type { Middleware } from 'koa';
import { GRANTABLE_MODELS, type OidcModelStore } from '../storage/ports.ts';
import type { SecurityEvents } from './security-events.ts';

interface EndSessionContext {
  oidc?: {
    route?: string;
    params?: { logout?: unknown };
    session?: {
      accountId?: string;
      authorizations?: Record<string, { grantId?: string; persistsLogout?: boolean }>;
    };
  };
}

/**
 * `security.logout.revokeOfflineTokens`: when a user signs out of everything, also revoke the
 * grants the provider keeps across logout. oidc-provider revokes on logout only grants whose
 * tokens are bound to the session; grants with `offline_access` (refresh tokens) are marked
 * `persistsLogout` and survive, as OIDC Core §11 intends offline access to. Deployments that
 * want "sign out" to mean "every app loses access" turn this on (RFC 9700 §4.14.2: the AS MAY
 * revoke refresh tokens on logout). Runs around the provider and acts after a successful
 * confirmation of a full logout (`logout=yes`), with the session the provider just ended.
 */
export function logoutRevokesOfflineGrants(deps: {
  oidc: Pick<OidcModelStore, 'revokeByGrantId' | 'destroy'>;
  events: SecurityEvents;
}): Middleware {
  return async function logoutRevokesOfflineGrants(ctx, next) {
    await next();
    const { oidc } = ctx as unknown as EndSessionContext;
    if (oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !oidc.params?.logout) return;
    for (const [clientId, authorization] of Object.entries(oidc.session?.authorizations ?? {})) {
      const { grantId } = authorization;
      if (!grantId || !authorization.persistsLogout) continue;
      await Promise.all(
        [...GRANTABLE_MODELS].map((model) => deps.oidc.revokeByGrantId(model, grantId)),
      );
      await deps.oidc.destroy('Grant', grantId);
      await deps.events.record({
        type: 'grant.revoked',
        clientId,
        subject: oidc.session?.accountId,
        details: { reason: 'logout', offline: true },
      });
    }
  };
}
