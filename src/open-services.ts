import type { Config } from './config/schema.ts';
import type { Logger } from './logging/logger.ts';
import type { Store } from './storage/ports.ts';
import { createStore } from './storage/create-store.ts';
import { createAccountService, type AccountService } from './accounts/account-service.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { resolveCookieKeys } from './oidc/cookie-keys.ts';
import { encryptedKeyStore, sealSigningKeys, withKeyStore } from './oidc/encrypted-key-store.ts';
import { ensureSigningKeys, type SigningAlgorithm } from './oidc/signing-keys.ts';
import { createRequestContext, type RequestContextHolder } from './security/request-context.ts';
import { createSecurityEvents, type SecurityEvents } from './security/security-events.ts';
import type { OnSessionsEnding } from './security/sessions-ending-hook.ts';
import { createClientSecretCipher } from './clients/client-secret-cipher.ts';
import { resolveClientSecretKeys } from './clients/client-secret-keys.ts';
import { createMfaService, type MfaService } from './mfa/mfa-service.ts';
import {
  encryptedClientStore,
  reencryptClientSecrets,
  withOidcStore,
  type ReencryptResult,
} from './clients/encrypted-client-store.ts';
import { InvalidationFeed } from './cache/invalidation-feed.ts';
import { invalidatingResourceServers } from './cache/invalidating-resource-servers.ts';
import { invalidatingOidcStore } from './oidc/invalidating-oidc-store.ts';
import { cachedClientReads } from './oidc/cached-client-reads.ts';
import type { CacheObserver } from './cache/answer-cache.ts';
import { withWebhookEndpointStore, withWebhookEvents } from './webhooks/with-webhook-events.ts';
import { encryptedWebhookEndpointStore } from './webhooks/encrypted-webhook-endpoint-store.ts';

export interface Services {
  config: Config;
  log: Logger;
  store: Store;
  accounts: AccountService;
  cookieKeys: string[];
  now: () => number;
  /** Security events (src/security/security-events.ts), written to `store.events`. */
  events: SecurityEvents;
  /** The request being served, for events recorded below the HTTP layer. */
  requestContext: RequestContextHolder;
  /**
   * The cache invalidation feed (src/cache/invalidation-feed.ts): every change made through
   * `store` that a cache may hold is published on it; the server polls it for other processes'.
   */
  invalidation: InvalidationFeed;
  /** Second factors and passkeys (src/mfa/mfa-service.ts): TOTP secrets sealed with the client-secret keys. */
  mfa: MfaService;
  /** Re-encrypts every stored client secret with the newest `secrets.clientSecretKeys` key. */
  reencryptClientSecrets(): Promise<ReencryptResult>;
  close(): Promise<void>;
}

/**
 * Opens everything the server and the CLI share: the store, the account service, the signing
 * keys (created on first start) and the cookie keys. All I/O of start-up happens here.
 */
export async function openServices(
  config: Config,
  log: Logger,
  now: () => number = Date.now,
  options: {
    decorateStore?: (store: Store) => Store;
    /** Who security events name as actor when no request says otherwise (`cli`; default `system`). */
    eventActor?: string;
    /** Told which sessions a password change or a disabled user ended (back-channel logout). */
    onSessionsEnding?: OnSessionsEnding;
    /** Reports of the in-process caches, by cache name (the server's metrics). */
    cacheObserver?: (cache: string) => CacheObserver;
  } = {},
): Promise<Services> {
  const opened = await createStore(config, {
    now,
    log: (msg, fields) => log.info(fields ?? {}, msg),
  });
  // The server times and traces every store call (src/metrics/instrument-store.ts).
  // Every recorded event also enqueues its webhook messages (src/webhooks/with-webhook-events.ts).
  const decorated = withWebhookEvents(
    options.decorateStore ? options.decorateStore(opened) : opened,
    { now },
  );
  let store = decorated;
  try {
    // Client secrets and signing keys are encrypted at rest (src/clients/encrypted-client-store.ts,
    // src/oidc/encrypted-key-store.ts): whoever is handed `store` (the provider, the client
    // service, the CLI) sees plaintext.
    const cipher = createClientSecretCipher(
      await resolveClientSecretKeys(config, decorated.settings),
    );
    const requestContext = createRequestContext();
    const events = createSecurityEvents({
      store: decorated.events,
      log,
      now,
      context: requestContext.current,
      defaultActor: options.eventActor ?? 'system',
    });
    const invalidation = new InvalidationFeed({
      store: decorated.invalidations,
      boundMs: config.cache.invalidationBoundMs,
      now,
      onPollError: (err: unknown) =>
        log.warn({ err }, 'reading the cache invalidation feed failed; caches are bypassed'),
    });
    const publish = (keys: readonly string[]) => invalidation.publish(keys);
    store = withKeyStore(
      withOidcStore(
        {
          ...decorated,
          resourceServers: invalidatingResourceServers(decorated.resourceServers, publish),
        },
        invalidatingOidcStore(
          cachedClientReads({
            inner: encryptedClientStore(decorated.oidc, cipher),
            feed: invalidation,
            maxEntries: config.cache.clients.maxEntries,
            now,
            observer: options.cacheObserver?.('clients'),
          }),
          publish,
        ),
      ),
      encryptedKeyStore(decorated.keys, cipher),
    );
    store = withWebhookEndpointStore(
      store,
      encryptedWebhookEndpointStore(decorated.webhookEndpoints, cipher),
    );
    const accounts = createAccountService({
      store: store.accounts,
      hasher: createPasswordHasher(),
      passwordMinLength: config.passwords.minLength,
      oidc: store.oidc,
      events,
      onSessionsEnding: options.onSessionsEnding,
      now,
    });
    // Keys stored in clear (before encryption) or under an older key: encrypted under the newest.
    await sealSigningKeys(decorated.keys, cipher);
    await ensureSigningKeys(store.keys, config.keys.algorithms as SigningAlgorithm[], now());
    const cookieKeys = await resolveCookieKeys(config, store.settings);
    return {
      config,
      log,
      store,
      accounts,
      cookieKeys,
      now,
      events,
      requestContext,
      invalidation,
      mfa: createMfaService({
        credentials: store.credentials,
        cipher,
        events,
        issuerName: config.ui.productName,
        now,
      }),
      reencryptClientSecrets: () => reencryptClientSecrets(decorated.oidc, cipher),
      close: async () => {
        invalidation.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
