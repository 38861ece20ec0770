import type { JWKS } from 'oidc-provider';
import { createClientService, type ClientService } from '../clients/client-service.ts';
import { providerClientValidator } from '../clients/provider-client-validator.ts';
import { createProvider, type Provider } from '../oidc/create-provider.ts';
import { createFindAccount } from '../oidc/find-account.ts';
import type { ProviderPages } from '../oidc/provider-configuration.ts';
import { toProviderJwks } from '../oidc/signing-keys.ts';
import type { Services } from '../open-services.ts';

// The CLI never serves a page: the provider it builds validates client metadata and writes
// initial access tokens.
const NO_PAGES: ProviderPages = {
  async logoutSource() {},
  async postLogoutSuccessSource() {},
  async renderError() {},
};

/** A provider built from the same configuration and store as the server's (never listening). */
export async function buildCliProvider(services: Services): Promise<Provider> {
  return createProvider({
    config: services.config,
    log: services.log,
    oidcStore: services.store.oidc,
    findAccount: createFindAccount(services.accounts),
    jwks: toProviderJwks(await services.store.keys.list(), services.now()) as JWKS,
    cookieKeys: services.cookieKeys,
    pages: NO_PAGES,
    now: services.now,
  });
}

/**
 * The client service over the CLI's store, validating with a provider built from the same
 * configuration as the server's, so a client the CLI accepts is one the server accepts.
 */
export async function openClientService(services: Services): Promise<ClientService> {
  return createClientService({
    store: services.store.oidc,
    validate: providerClientValidator(await buildCliProvider(services)),
    // RFC 9700 §2.6 allows http redirect URIs only on loopback for native apps; a web app on
    // http://localhost is normal while developing, so only production refuses it.
    allowHttpLoopbackForWebClients: services.config.env !== 'production',
    now: services.now,
  });
}
