import { Provider } from 'oidc-provider';
import type { Logger } from '../logging/logger.ts';
import { buildProviderConfiguration, type ProviderConfigurationDeps } from './provider-configuration.ts';

export type { Provider };

export interface CreateProviderDeps extends ProviderConfigurationDeps {
  log: Logger;
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
  const { log } = deps;
  provider.on('server_error', (ctx: { get(h: string): string } | undefined, err: Error) => {
    log.error({ err, requestId: ctx?.get('x-request-id') }, 'provider server error');
  });
  // Grant errors are OAuth errors answered to the client (invalid_grant, ...): worth a line at
  // info level for support, never the token itself.
  provider.on('grant.error', (_ctx: unknown, err: Error) => {
    log.info({ event: 'grant.error', error: err.message }, 'token request refused');
  });
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    log.info({ event: 'grant.revoked', grantId }, 'grant revoked');
  });
  return provider;
}
