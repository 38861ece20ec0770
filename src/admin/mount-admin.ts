import mount from 'koa-mount';
import type { Middleware } from 'koa';
import type { AccountService } from '../accounts/account-service.ts';
import { createRegistrationPolicy } from '../clients/registration-policy.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { Store } from '../storage/ports.ts';
import { createAdminApp } from './create-admin-app.ts';
import { createAdminServices } from './admin-services.ts';
import { registrationHooks } from './registration-hooks.ts';

export interface MountAdminDeps {
  config: Config;
  log: Logger;
  store: Pick<Store, 'oidc' | 'accounts' | 'events' | 'counters' | 'resourceServers'>;
  accounts: AccountService;
  providers: ProviderHolder;
  /**
   * The request being served (src/security/request-context.ts): the admin API names its admin
   * client there as `actor`, so security events recorded below (client and user changes) carry it.
   */
  requestContext?: { current(): { actor?: string | undefined } | undefined } | undefined;
}

/**
 * Everything administrative the host serves, as one middleware for createApp: the admin API at
 * /admin/v1 (its own Koa app) and the host's hooks around the provider's RFC 7591 registration
 * endpoint. Requests for other paths pass straight through.
 */
export function mountAdmin(deps: MountAdminDeps): Middleware {
  const provider = () => deps.providers.current;
  const services = createAdminServices({
    config: deps.config,
    store: deps.store,
    accounts: deps.accounts,
    provider,
  });
  const adminApi = mount(
    '/admin/v1',
    createAdminApp({
      services,
      provider,
      log: deps.log,
      issuer: deps.config.server.issuer,
      requestContext: deps.requestContext,
    }),
  );
  const hooks = registrationHooks({
    policy: createRegistrationPolicy({
      oidc: deps.store.oidc,
      counters: deps.store.counters,
      rules: { allowHttpLoopbackForWebClients: deps.config.env !== 'production' },
    }),
    audit: services.audit,
    oidc: deps.store.oidc,
    log: deps.log,
  });
  return async function admin(ctx, next) {
    await hooks(ctx, () => adminApi(ctx, next));
  };
}
