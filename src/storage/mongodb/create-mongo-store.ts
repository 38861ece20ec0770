/**
 * The MongoDB backend: connects (waiting with backoff at start), ensures indexes, and wires the
 * per-concern stores. Where the server has no TTL indexes (FerretDB, some hosted
 * MongoDB-compatible services) it sweeps expired oidc entries and counters itself.
 */
import type { Store } from '../ports.ts';
import { backfillOidcOwnerFields } from './backfill-oidc-owner-fields.ts';
import { connectMongoDatabase } from './connect-mongo-database.ts';
import { createMongoAccessControlStore } from './create-mongo-access-control-store.ts';
import { createMongoAccountDeviceStore } from './create-mongo-account-device-store.ts';
import { createMongoAccountStore } from './create-mongo-account-store.ts';
import { createMongoAccountTokenStore } from './create-mongo-account-token-store.ts';
import { createMongoCounterStore } from './create-mongo-counter-store.ts';
import { createMongoEventStore } from './create-mongo-event-store.ts';
import { createMongoInvalidationStore } from './create-mongo-invalidation-store.ts';
import { createMongoKeyStore } from './create-mongo-key-store.ts';
import { createMongoOidcStore } from './create-mongo-oidc-store.ts';
import { createMongoResourceServerStore } from './create-mongo-resource-server-store.ts';
import { createMongoCredentialStore } from './create-mongo-credential-store.ts';
import { createMongoSettingStore } from './create-mongo-setting-store.ts';
import { createMongoSlotCounterStore } from './create-mongo-slot-counter-store.ts';
import { detectAtomicUpdates } from './detect-atomic-updates.ts';
import { createMongoOutboxStore, ensureMongoOutboxIndexes } from './create-mongo-outbox-store.ts';
import { createMongoWebhookEndpointStore } from './create-mongo-webhook-endpoint-store.ts';
import { ensureMongoIndexes } from './ensure-mongo-indexes.ts';
import { guard } from './mongo-errors.ts';
import type { MongoStoreOptions } from './mongo-store-options.ts';

/** MongoDB's TTL monitor runs every 60 s; the fallback sweep keeps the same pace. */
const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export async function createMongoStore(options: MongoStoreOptions): Promise<Store> {
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const { client, db } = await connectMongoDatabase(options, log);

  let ttlIndexes: boolean;
  let atomicUpdates: boolean;
  try {
    ({ ttlIndexes } = await guard('ensureIndexes', () => ensureMongoIndexes(db, log)));
    await guard('backfillOidcOwnerFields', () => backfillOidcOwnerFields(db, log));
    atomicUpdates = await guard('buildInfo', () => detectAtomicUpdates(db));
    await guard('ensureOutboxIndexes', () => ensureMongoOutboxIndexes(db));
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  if (!atomicUpdates) {
    log(
      'mongodb: this server does not apply conditional updates atomically (FerretDB); consume and counters use insert-once documents',
    );
  }

  const oidc = createMongoOidcStore(db, { now, atomicUpdates });
  const counters = atomicUpdates
    ? createMongoCounterStore(db, now)
    : createMongoSlotCounterStore(db, now);
  const accountTokens = createMongoAccountTokenStore(db, now);
  const accountDevices = createMongoAccountDeviceStore(db, now);
  const sweepExpired = async (): Promise<number> =>
    (await oidc.sweepExpired()) +
    (await counters.sweepExpired()) +
    (await accountTokens.sweepExpired()) +
    (await accountDevices.sweepExpired());

  let sweepTimer: NodeJS.Timeout | undefined;
  if (!ttlIndexes) {
    let sweeping = false;
    const sweep = async (): Promise<void> => {
      if (sweeping) return; // a slow sweep is not stacked on by the next tick
      sweeping = true;
      try {
        await sweepExpired();
      } catch (error) {
        // Logged, not thrown: an outage must not crash the process; the next tick retries.
        log('mongodb: periodic sweep of expired entries failed', {
          reason: error instanceof Error ? error.message : 'unknown',
        });
      } finally {
        sweeping = false;
      }
    };
    sweepTimer = setInterval(
      () => void sweep(),
      // Floor: a zero interval would be a busy loop against the database.
      Math.max(100, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS),
    );
    // The sweep alone must not keep the process alive.
    sweepTimer.unref();
  }

  return {
    backend: 'mongodb',
    oidc,
    accounts: createMongoAccountStore(db),
    keys: createMongoKeyStore(db),
    settings: createMongoSettingStore(db),
    counters,
    events: createMongoEventStore(db, now),
    resourceServers: createMongoResourceServerStore(db),
    invalidations: createMongoInvalidationStore(db, now),
    accessControl: createMongoAccessControlStore(db),
    credentials: createMongoCredentialStore(db),
    accountTokens,
    accountDevices,
    outbox: createMongoOutboxStore(db, { now, atomicUpdates }),
    webhookEndpoints: createMongoWebhookEndpointStore(db),
    ping: () =>
      guard('ping', async () => {
        await db.command({ ping: 1 });
      }),
    sweepExpired,
    close: async () => {
      clearInterval(sweepTimer);
      await client.close();
    },
  };
}
