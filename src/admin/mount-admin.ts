import mount from 'koa-mount';
import type { Middleware } from 'koa';
import type { AccountService } from '../accounts/account-service.ts';
import type { ReencryptResult } from '../clients/encrypted-client-store.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { ProviderHolder } from '../oidc/provider-holder.ts';
import type { Store } from '../storage/ports.ts';
import { createAdminApp } from './create-admin-app.ts';
import { createAdminServices } from './admin-services.ts';
import type { AccountLifecycleServices } from './user-lifecycle-admin.ts';

export interface MountAdminDeps {
  config: Config;
  log: Logger;
  store: Pick<
    Store,
    | 'oidc'
    | 'accounts'
    | 'events'
    | 'counters'
    | 'resourceServers'
    | 'accessControl'
    | 'keys'
    | 'credentials'
    | 'outbox'
    | 'webhookEndpoints'
  >;
  accounts: AccountService;
  providers: ProviderHolder;
  /**
   * The request being served (src/security/request-context.ts): the admin API names its admin
   * client there as `actor`, so security events recorded below (client and user changes) carry it.
   */
  requestContext?: { current(): { actor?: string | undefined } | undefined } | undefined;
  /** Sessions, grants, deletion and links of users (issue 15 item 6). */
  accountLifecycle?: AccountLifecycleServices | undefined;
  /** `POST /clients/reencrypt` (open-services.ts `reencryptClientSecrets`). */
  reencryptClientSecrets?: (() => Promise<ReencryptResult>) | undefined;
}

/**
 * The admin API at /admin/v1 (its own Koa app), as one middleware for createApp. Requests for
 * other paths pass straight through. (The hooks around the provider's RFC 7591 registration
 * endpoint are rows of the provider hooks table: ./registration-hooks.ts.)
 */
export function mountAdmin(deps: MountAdminDeps): Middleware {
  const provider = () => deps.providers.current;
  const services = createAdminServices({
    config: deps.config,
    store: deps.store,
    accounts: deps.accounts,
    provider,
    accountLifecycle: deps.accountLifecycle,
    reencryptClientSecrets: deps.reencryptClientSecrets,
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
  return adminApi;
}
