import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Store, StoreOptions } from '../ports.ts';
import { createSqliteAccessControlStore } from './create-sqlite-access-control-store.ts';
import { createSqliteAccountDeviceStore } from './create-sqlite-account-device-store.ts';
import { createSqliteAccountStore } from './create-sqlite-account-store.ts';
import { createSqliteAccountTokenStore } from './create-sqlite-account-token-store.ts';
import { createSqliteCounterStore } from './create-sqlite-counter-store.ts';
import { createSqliteEventStore } from './create-sqlite-event-store.ts';
import { createSqliteInvalidationStore } from './create-sqlite-invalidation-store.ts';
import { createSqliteKeyStore } from './create-sqlite-key-store.ts';
import { createSqliteOidcStore } from './create-sqlite-oidc-store.ts';
import { createSqliteResourceServerStore } from './create-sqlite-resource-server-store.ts';
import { createSqliteCredentialStore } from './create-sqlite-credential-store.ts';
import { createSqliteSettingStore } from './create-sqlite-setting-store.ts';
import { createSqliteOutboxStore } from './create-sqlite-outbox-store.ts';
import { createSqliteWebhookEndpointStore } from './create-sqlite-webhook-endpoint-store.ts';
import { guarded } from './map-sqlite-error.ts';
import { migrate } from './sqlite-migrations.ts';

/**
 * A store in one SQLite file, through Node 24's built-in `node:sqlite` (no native addon).
 * `file` may be `':memory:'` (one connection's private database, for tests).
 */
export function createSqliteStore(options: StoreOptions & { file: string }): Store {
  const now = options.now ?? Date.now;
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });

  const db = guarded(() => new DatabaseSync(options.file));
  try {
    // busy_timeout first, so switching to WAL waits for another process instead of failing.
    db.exec('PRAGMA busy_timeout = 5000');
    // WAL lets readers run while one writer commits; NORMAL sync is durable across process
    // crashes and loses at most the last commits on power loss (sqlite.org/wal.html).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    guarded(() => migrate(db, now));
  } catch (error) {
    db.close();
    throw error;
  }

  const oidc = createSqliteOidcStore(db, now);
  const counters = createSqliteCounterStore(db, now);
  const accountTokens = createSqliteAccountTokenStore(db, now);
  const accountDevices = createSqliteAccountDeviceStore(db, now);
  const ping = db.prepare('SELECT 1');

  return {
    backend: 'sqlite',
    oidc,
    accounts: createSqliteAccountStore(db),
    keys: createSqliteKeyStore(db),
    settings: createSqliteSettingStore(db),
    counters,
    events: createSqliteEventStore(db, now),
    resourceServers: createSqliteResourceServerStore(db),
    invalidations: createSqliteInvalidationStore(db, now),
    accessControl: createSqliteAccessControlStore(db),
    credentials: createSqliteCredentialStore(db),
    accountTokens,
    accountDevices,
    outbox: createSqliteOutboxStore(db, now),
    webhookEndpoints: createSqliteWebhookEndpointStore(db),

    async ping() {
      guarded(() => ping.get());
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
      // Idempotent: shutdown paths may close twice.
      if (db.isOpen) db.close();
    },
  };
}
