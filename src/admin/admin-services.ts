import { explainApiScope } from '../resources/explain-api-scope.ts';
import type { Provider } from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import {
  createClientService,
  type ClientView,
  type CreatedClient,
} from '../clients/client-service.ts';
import {
  createInitialAccessTokenService,
  type CreatedInitialAccessToken,
} from '../clients/initial-access-tokens.ts';
import type { ReencryptResult } from '../clients/encrypted-client-store.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import type { EventFilter, Store } from '../storage/ports.ts';
import { createAccessControlService } from '../rbac/access-control-service.ts';
import { createAccessAdminServices } from './access-admin-services.ts';
import { createKeyAdminServices } from './key-admin-services.ts';
import { createAuditLog, type Actor } from './audit-log.ts';
import { createUserAdminService } from './user-admin-service.ts';
import { summarizeFactors } from '../mfa/factor-summary.ts';
import { createUserLifecycleAdmin, type AccountLifecycleServices } from './user-lifecycle-admin.ts';
import { createWebhookAdminService } from '../webhooks/webhook-admin-service.ts';
import { createDeliveryAdminService } from '../outbox/delivery-admin-service.ts';
import { createUserImportService } from '../import/user-import-service.ts';
import { createApiAdminService } from './api-admin-service.ts';

/**
 * Every operation of the admin API, used by the API and by the CLI alike (same validation, same
 * messages), and the one place admin writes are recorded in the audit log: an operation that
 * changed something records who did it before it returns. Types are `admin.<object>.<change>`
 * (`type_prefix=admin.` lists admin changes alone among the other security events).
 */

export interface AdminServicesDeps {
  config: Pick<Config, 'env' | 'keys' | 'ttl'>;
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
  /** The provider whose engine validates client metadata and writes initial access tokens. */
  provider: () => Provider;
  now?: () => number;
  /** The account lifecycle (issue 15): sessions, grants, deletion, links; its routes answer
   *  404 without it. */
  accountLifecycle?: AccountLifecycleServices | undefined;
  /**
   * Re-encrypts every stored client secret with the newest key (open-services.ts, over the
   * undecorated store); `portcullis client reencrypt` and `POST /clients/reencrypt` both run it
   * through `clients.reencrypt`. Without it that operation answers `not_found`.
   */
  reencryptClientSecrets?: (() => Promise<ReencryptResult>) | undefined;
}

/** The fields of a client worth a line in the audit log: what kind of client it is, no secrets. */
function clientSummary(client: ClientView): Record<string, string | boolean> {
  return {
    name: client.client_name.slice(0, 100),
    grant_types: client.grant_types.join(' '),
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    resource_server: client.resource_server,
    ...(client.scope === undefined ? {} : { scope: client.scope.slice(0, 200) }),
  };
}

export function createAdminServices(deps: AdminServicesDeps) {
  const now = deps.now ?? Date.now;
  const clients = createClientService({
    store: deps.store.oidc,
    validate: async (metadata) => {
      await deps.provider().Client.validate(metadata as never);
    },
    // RFC 9700 §2.6 allows http redirect URIs only on loopback for native apps; a web app on
    // http://localhost is normal while developing, so only production refuses it.
    allowHttpLoopbackForWebClients: deps.config.env !== 'production',
    explainUnknownScope: (scope) => explainApiScope(deps.store.resourceServers, scope),
    now,
  });
  const users = createUserAdminService({
    accounts: deps.accounts,
    accountStore: deps.store.accounts,
    now,
  });
  const initialAccessTokens = createInitialAccessTokenService({
    provider: deps.provider,
    oidc: deps.store.oidc,
    counters: deps.store.counters,
    now,
  });
  const audit = createAuditLog({ events: deps.store.events, now });
  const userLifecycle = deps.accountLifecycle
    ? createUserLifecycleAdmin({
        services: deps.accountLifecycle,
        audit,
        exists: async (id) => (await deps.store.accounts.findById(id)) !== undefined,
      })
    : undefined;

  return {
    /** Issue 15 item 6 (./user-lifecycle-admin.ts); undefined without the account lifecycle. */
    userLifecycle,
    clients: {
      get: clients.get,
      list: clients.list,
      async create(input: unknown, who: Actor): Promise<CreatedClient> {
        const client = await clients.create(input);
        await audit.record(who, {
          type: 'admin.client.created',
          clientId: client.client_id,
          details: clientSummary(client),
        });
        return client;
      },
      async replace(id: string, input: unknown, who: Actor): Promise<CreatedClient> {
        const change = await clients.replace(id, input);
        await audit.record(who, {
          type: 'admin.client.updated',
          clientId: id,
          details: {
            method: 'replace',
            changed: change.changed.join(' '),
            secret_issued: change.secretIssued,
          },
        });
        return change.client;
      },
      async update(id: string, patch: unknown, who: Actor): Promise<CreatedClient> {
        const change = await clients.update(id, patch);
        await audit.record(who, {
          type: 'admin.client.updated',
          clientId: id,
          details: {
            method: 'patch',
            changed: change.changed.join(' '),
            secret_issued: change.secretIssued,
          },
        });
        return change.client;
      },
      async rotateSecret(id: string, who: Actor): Promise<CreatedClient> {
        const client = await clients.rotateSecret(id);
        await audit.record(who, { type: 'admin.client.secret_rotated', clientId: id });
        return client;
      },
      async remove(id: string, who: Actor): Promise<void> {
        await clients.remove(id);
        await audit.record(who, { type: 'admin.client.deleted', clientId: id });
      },
      /** After a `secrets.clientSecretKeys` rotation: every secret under the newest key. */
      async reencrypt(who: Actor): Promise<ReencryptResult> {
        if (deps.reencryptClientSecrets === undefined) {
          throw new AppError('not_found');
        }
        const result = await deps.reencryptClientSecrets();
        await audit.record(who, {
          type: 'admin.clients.reencrypted',
          details: { clients: result.clients, reencrypted: result.reencrypted },
        });
        return result;
      },
    },

    users: {
      get: users.get,
      list: users.list,
      findByLogin: users.findByLogin,
      async create(input: unknown, who: Actor) {
        const user = await users.create(input);
        await audit.record(who, {
          type: 'admin.user.created',
          subject: user.id,
          details: { username: user.username },
        });
        // Issue 15 item 3: an invitation instead of a password, or a link to confirm the address.
        const lifecycle = deps.accountLifecycle?.lifecycle;
        if (lifecycle && user.email !== undefined) {
          const invite = (input as { invite?: unknown } | null)?.invite === true;
          if (invite) await lifecycle.sendInvitation(user.id, 'en');
          else if (!user.emailVerified) await lifecycle.sendVerification(user.id, 'en');
        }
        return user;
      },
      async update(id: string, input: unknown, who: Actor) {
        const change = await users.update(id, input);
        await audit.record(who, {
          type: 'admin.user.updated',
          subject: id,
          details: { changed: change.changed.join(' ') },
        });
        return change.user;
      },
      async setDisabled(id: string, disabled: boolean, who: Actor) {
        const user = await users.setDisabled(id, disabled);
        await audit.record(who, {
          type: disabled ? 'admin.user.disabled' : 'admin.user.enabled',
          subject: id,
        });
        return user;
      },
      async resetPassword(id: string, input: unknown, who: Actor) {
        const user = await users.resetPassword(id, input);
        await audit.record(who, { type: 'admin.user.password_reset', subject: id });
        return user;
      },
    },

    // Second factors (issue 14): what a user holds, and the operator's reset when every factor
    // is lost (docs/mfa.md). Never any credential material (src/mfa/factor-summary.ts).
    userFactors: {
      async list(id: string) {
        await users.get(id);
        return summarizeFactors(deps.store.credentials, id);
      },
      async reset(id: string, who: Actor) {
        await users.get(id);
        const removed = await deps.store.credentials.removeAll(id);
        await audit.record(who, {
          type: 'admin.user.mfa_reset',
          subject: id,
          details: { removed },
        });
        return { removed };
      },
    },

    initialAccessTokens: {
      list: initialAccessTokens.list,
      async create(input: unknown, who: Actor): Promise<CreatedInitialAccessToken> {
        const token = await initialAccessTokens.create(input, who.actor);
        await audit.record(who, {
          type: 'admin.initial_access_token.created',
          details: {
            id: token.id,
            expires_at: token.expires_at ?? 0,
            ...(token.max_uses === null ? {} : { max_uses: token.max_uses }),
          },
        });
        return token;
      },
      async revoke(id: string, who: Actor): Promise<void> {
        await initialAccessTokens.revoke(id);
        await audit.record(who, { type: 'admin.initial_access_token.revoked', details: { id } });
      },
    },

    // Roles, groups and custom attributes (issue 16).
    access: createAccessAdminServices({
      access: createAccessControlService({
        store: deps.store.accessControl,
        accounts: deps.store.accounts,
        now,
      }),
      audit,
    }),

    // Signing keys (issue 16: the `admin:keys` authority).
    keys: createKeyAdminServices({ config: deps.config, keys: deps.store.keys, audit, now }),

    // Webhook endpoints and the outbox's deliveries (issue 17; src/webhooks/, src/outbox/).
    webhooks: createWebhookAdminService({
      endpoints: deps.store.webhookEndpoints,
      audit,
      allowHttp: deps.config.env !== 'production',
      now,
    }),
    deliveries: createDeliveryAdminService({ outbox: deps.store.outbox, audit }),
    // User import with other systems' password hashes (issue 17; docs/import.md).
    imports: createUserImportService({ accounts: deps.store.accounts, audit, now }),
    // APIs (resource servers): the CLI's operations, now also the API's (issue 17).
    apis: createApiAdminService({
      config: deps.config,
      store: deps.store.resourceServers,
      clients: deps.store.oidc,
      audit,
      now,
      roleExists: async (name) => (await deps.store.accessControl.findRole(name)) !== undefined,
    }),

    audit: {
      record: audit.record,
      list: (filter: EventFilter, options: { cursor?: string | undefined; limit: number }) =>
        audit.list(filter, options),
    },
  };
}

export type AdminServices = ReturnType<typeof createAdminServices>;
