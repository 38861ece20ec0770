import type { Provider } from 'oidc-provider';
import type { SecurityEventInput, SecurityEvents } from './security-events.ts';

/** The parts of a provider event's Koa context this file reads. */
interface ProviderEventContext {
  request?: { ip?: string };
  state?: { requestId?: unknown };
  get?(name: string): string;
  oidc?: {
    route?: string;
    params?: { grant_type?: unknown };
    client?: { clientId?: string };
    session?: { accountId?: string; state?: { clientId?: unknown } };
    entities?: Record<string, { accountId?: unknown; clientId?: unknown } | undefined>;
  };
}

function whereFrom(
  ctx: ProviderEventContext | undefined,
): Pick<SecurityEventInput, 'ip' | 'userAgent' | 'requestId' | 'clientId'> {
  const requestId = ctx?.state?.requestId;
  return {
    ip: ctx?.request?.ip,
    userAgent: ctx?.get?.('user-agent') || undefined,
    requestId: typeof requestId === 'string' ? requestId : undefined,
    clientId: ctx?.oidc?.client?.clientId,
  };
}

/** The user a grant or token belonged to, from whatever the provider loaded for the request. */
function subjectOf(ctx: ProviderEventContext | undefined): string | undefined {
  for (const name of ['RefreshToken', 'AuthorizationCode', 'AccessToken', 'Grant']) {
    const accountId = ctx?.oidc?.entities?.[name]?.accountId;
    if (typeof accountId === 'string') return accountId;
  }
  return ctx?.oidc?.session?.accountId;
}

/** Why the provider revoked a grant, from the route it did it on. */
function revocationReason(ctx: ProviderEventContext | undefined): string {
  switch (ctx?.oidc?.route) {
    case 'token':
      // lib/actions/grants/*.js: presenting a used refresh token or code revokes the grant.
      return ctx.oidc.params?.grant_type === 'refresh_token' ? 'refresh_token_reuse' : 'code_reuse';
    case 'end_session_confirm':
      return 'logout';
    case 'revocation':
      return 'revocation';
    default:
      return 'other';
  }
}

/**
 * Turns the provider's events into security events (ASVS 16.3.x): logouts, grant revocations
 * with their reason, token reuse (RFC 9700 §4.14.2) and revocations at the revocation endpoint.
 * Back-channel deliveries are recorded by src/security/backchannel-delivery.ts, which also sees
 * the retries. Listeners cannot be awaited by the provider; each record is started here and
 * finishes on its own (recording never throws).
 */
export function recordProviderEvents(provider: Provider, events: SecurityEvents): void {
  provider.on('grant.revoked', (event: unknown, grantId: string) => {
    const ctx = event as ProviderEventContext | undefined;
    const reason = revocationReason(ctx);
    const about = { ...whereFrom(ctx), subject: subjectOf(ctx) };
    if (reason === 'refresh_token_reuse' || reason === 'code_reuse') {
      void events.record({
        type: 'token.reuse_detected',
        ...about,
        details: {
          kind: reason === 'refresh_token_reuse' ? 'refresh_token' : 'authorization_code',
        },
      });
    }
    void events.record({
      type: 'grant.revoked',
      ...about,
      details: { reason, grant: grantId.slice(0, 64) },
    });
  });

  provider.on('end_session.success', (event: unknown) => {
    const ctx = event as ProviderEventContext | undefined;
    const stateClient = ctx?.oidc?.session?.state?.clientId;
    void events.record({
      type: 'logout',
      ...whereFrom(ctx),
      clientId:
        ctx?.oidc?.client?.clientId ?? (typeof stateClient === 'string' ? stateClient : undefined),
      subject: ctx?.oidc?.session?.accountId,
    });
  });

  const revoked = (kind: string) => (token: { accountId?: unknown; clientId?: unknown }) => {
    // Tokens are destroyed elsewhere too; only the revocation endpoint's are revocations. The
    // provider's async-local context (`Provider.ctx`) says which request this is.
    const ctx = (provider.constructor as { ctx?: ProviderEventContext }).ctx;
    if (ctx?.oidc?.route !== 'revocation') return;
    void events.record({
      type: 'token.revoked',
      ...whereFrom(ctx),
      clientId: typeof token.clientId === 'string' ? token.clientId : whereFrom(ctx).clientId,
      subject: typeof token.accountId === 'string' ? token.accountId : undefined,
      details: { kind },
    });
  };
  provider.on('access_token.destroyed', revoked('access_token'));
  provider.on('refresh_token.destroyed', revoked('refresh_token'));
  provider.on('client_credentials.destroyed', revoked('client_credentials'));
}
