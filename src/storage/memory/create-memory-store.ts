import { StoreUnavailableError } from '../ports.ts';
import type { Store, StoreOptions } from '../ports.ts';
import { createMemoryAccessControlStore } from './create-memory-access-control-store.ts';
import { createMemoryAccountDeviceStore } from './create-memory-account-device-store.ts';
import { createMemoryAccountStore } from './create-memory-account-store.ts';
import { createMemoryAccountTokenStore } from './create-memory-account-token-store.ts';
import { createMemoryCounterStore } from './create-memory-counter-store.ts';
import { createMemoryEventStore } from './create-memory-event-store.ts';
import { createMemoryInvalidationStore } from './create-memory-invalidation-store.ts';
import { createMemoryKeyStore } from './create-memory-key-store.ts';
import { createMemoryOidcStore } from './create-memory-oidc-store.ts';
import { createMemoryResourceServerStore } from './create-memory-resource-server-store.ts';
import { createMemoryCredentialStore } from './create-memory-credential-store.ts';
import { createMemorySettingStore } from './create-memory-setting-store.ts';
import { createMemoryOutboxStore } from './create-memory-outbox-store.ts';
import { createMemoryWebhookEndpointStore } from './create-memory-webhook-endpoint-store.ts';

/**
 * A store that lives and dies with the process: for development and tests. It honours the same
 * contract as the durable backends (test/contract/store-contract.ts), including deep copies so
 * callers cannot change stored state through objects they passed in or got back.
 */
export function createMemoryStore(options: StoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const oidc = createMemoryOidcStore(now);
  const counters = createMemoryCounterStore(now);
  const accountTokens = createMemoryAccountTokenStore(now);
  const accountDevices = createMemoryAccountDeviceStore(now);
  const outbox = createMemoryOutboxStore(now);
  let open = true;

  return {
    backend: 'memory',
    oidc,
    accounts: createMemoryAccountStore(),
    keys: createMemoryKeyStore(),
    settings: createMemorySettingStore(),
    counters,
    events: createMemoryEventStore(outbox),
    resourceServers: createMemoryResourceServerStore(),
    invalidations: createMemoryInvalidationStore(now),
    accessControl: createMemoryAccessControlStore(),
    credentials: createMemoryCredentialStore(),
    accountTokens,
    accountDevices,
    outbox,
    webhookEndpoints: createMemoryWebhookEndpointStore(),

    async ping() {
      // /readyz must turn unready once the store is closed during shutdown.
      if (!open) throw new StoreUnavailableError('store is closed');
    },

    async sweepExpired() {
      return (
        oidc.sweepExpired() +
        (await counters.sweepExpired()) +
        (await accountTokens.sweepExpired()) +
        (await accountDevices.sweepExpired())
      );
    },

    async close() {
      open = false;
    },
  };
}
