import { Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import { recordProviderEvents } from '../security/record-provider-events.ts';
import { providerHooks, registerProviderHooks, type ProviderHook } from './hooks/provider-hooks.ts';
import {
  AUTHORIZATION_PATH,
  buildProviderConfiguration,
  type ProviderConfigurationDeps,
} from './provider-configuration.ts';

export type { Provider };

export interface CreateProviderDeps extends ProviderConfigurationDeps {
  log: Logger;
  /** The hooks table (src/oidc/hooks/provider-hooks.ts); the protocol hooks alone without. */
  hooks?: readonly ProviderHook[] | undefined;
}

/**
 * Builds an oidc-provider instance. No I/O happens here: keys, cookie keys and the store are
 * resolved by the caller, so tests and the CLI can build one in-process.
 */
export function createProvider(deps: CreateProviderDeps): Provider {
  const provider = new Provider(deps.config.server.issuer, buildProviderConfiguration(deps));
  // Behind a TLS-terminating proxy the provider must see https from X-Forwarded-Proto, or it
  // would mint http URLs and non-Secure cookies (stack notes). Only when configured: a client
  // could otherwise forge these headers (RFC 9700 §4.13).
  provider.proxy = deps.config.server.trustProxy;
  registerProviderHooks(
    provider,
    deps.hooks ?? providerHooks({ authorizationPath: AUTHORIZATION_PATH }),
  );
  logProviderEvents(provider, deps.log);
  if (deps.events) recordProviderEvents(provider, deps.events);
  return provider;
}

/** A provider event's Koa context, as far as logging needs it. */
interface EventContext {
  state?: { requestId?: unknown };
  oidc?: { client?: { clientId?: unknown } };
}

/** The request and client an event happened in: ids only, never parameters (they carry codes). */
function contextOf(ctx: unknown): { requestId?: string; clientId?: string } {
  const c = (ctx ?? {}) as EventContext;
  const requestId = c.state?.requestId;
  const clientId = c.oidc?.client?.clientId;
  return {
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof clientId === 'string' ? { clientId } : {}),
  };
}

/** An OAuth error as `error` + `error_description` (RFC 6749 §5.2); never the request's values. */
function oauthError(err: unknown): { error: string; description?: string } {
  const e = (err ?? {}) as { error?: unknown; error_description?: unknown; name?: unknown };
  const error =
    typeof e.error === 'string' ? e.error : typeof e.name === 'string' ? e.name : 'error';
  return {
    error,
    ...(typeof e.error_description === 'string' ? { description: e.error_description } : {}),
  };
}

/**
 * One log line per provider event an operator or support needs, with the request id and client
 * id to correlate it with the request line. OAuth errors answered to a client are `info` (they
 * are the client's mistakes or an attack worth counting, not our failures); failures on our
 * side are `warn` or `error`.
 */
function logProviderEvents(provider: Provider, log: Logger): void {
  provider.on('server_error', (ctx: unknown, err: Error) => {
    log.error({ event: 'server_error', err, ...contextOf(ctx) }, 'provider server error');
  });
  provider.on('grant.error', (ctx: unknown, err: unknown) => {
    log.info(
      { event: 'grant.error', ...oauthError(err), ...contextOf(ctx) },
      'token request refused',
    );
  });
  provider.on('grant.revoked', (ctx: unknown, grantId: string) => {
    log.info({ event: 'grant.revoked', grantId, ...contextOf(ctx) }, 'grant revoked');
  });
  provider.on('authorization.error', (ctx: unknown, err: unknown) => {
    log.info(
      { event: 'authorization.error', ...oauthError(err), ...contextOf(ctx) },
      'authorization request refused',
    );
  });
  provider.on('end_session.success', (ctx: unknown) => {
    log.info({ event: 'end_session.success', ...contextOf(ctx) }, 'signed out');
  });
  provider.on(
    'backchannel.error',
    (ctx: unknown, err: unknown, client: { clientId?: unknown } | undefined) => {
      const clientId = typeof client?.clientId === 'string' ? client.clientId : undefined;
      log.warn(
        { event: 'backchannel.error', ...oauthError(err), ...contextOf(ctx), clientId },
        'back-channel logout failed',
      );
    },
  );
  const refused = (event: string) => (ctx: unknown, err: unknown) => {
    log.info(
      { event, ...oauthError(err), ...contextOf(ctx) },
      `${event.split('.')[0]} request refused`,
    );
  };
  // The provider refuses JWT access tokens after authenticating the caller; the host answers
  // them instead (src/http/introspection-endpoint.ts, src/http/jwt-revocation-endpoint.ts), so
  // that is no refusal to log.
  const unlessJwtHandoff = (event: string) => {
    const log = refused(event);
    return (ctx: unknown, err: unknown) => {
      if (oauthError(err).error !== 'unsupported_token_type') log(ctx, err);
    };
  };
  provider.on('introspection.error', unlessJwtHandoff('introspection.error'));
  provider.on('revocation.error', unlessJwtHandoff('revocation.error'));
  provider.on('userinfo.error', refused('userinfo.error'));
  provider.on('end_session.error', refused('end_session.error'));
  provider.on('end_session_confirm.error', refused('end_session_confirm.error'));
}
