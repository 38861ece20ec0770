import type { JWKS } from 'oidc-provider';
import { createClientService, type ClientService } from '../clients/client-service.ts';
import { providerClientValidator } from '../clients/provider-client-validator.ts';
import { createProvider } from '../oidc/create-provider.ts';
import { createFindAccount } from '../oidc/find-account.ts';
import type { ProviderPages } from '../oidc/provider-configuration.ts';
import { toProviderJwks } from '../oidc/signing-keys.ts';
import type { Services } from '../open-services.ts';

// The CLI never serves a page: the provider it builds only validates client metadata.
const NO_PAGES: ProviderPages = {
  async logoutSource() {},
  async postLogoutSuccessSource() {},
  async renderError() {},
};

/**
 * The client service over the CLI's store, validating with a provider built from the same
 * configuration as the server's, so a client the CLI accepts is one the server accepts.
 */
export async function openClientService(services: Services): Promise<ClientService> {
  const provider = createProvider({
    config: services.config,
    log: services.log,
    oidcStore: services.store.oidc,
    findAccount: createFindAccount(services.accounts),
    jwks: toProviderJwks(await services.store.keys.list(), services.now()) as JWKS,
    cookieKeys: services.cookieKeys,
    pages: NO_PAGES,
    now: services.now,
  });
  return createClientService({
    store: services.store.oidc,
    validate: providerClientValidator(provider),
    // RFC 9700 §2.6 allows http redirect URIs only on loopback for native apps; a web app on
    // http://localhost is normal while developing, so only production refuses it.
    allowHttpLoopbackForWebClients: services.config.env !== 'production',
    now: services.now,
  });
}
