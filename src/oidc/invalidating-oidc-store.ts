import type { OidcModelName, OidcModelStore } from '../storage/ports.ts';
import {
  accountKey,
  CACHED_TOKEN_MODELS,
  EVERYTHING,
  grantKey,
  tokenKey,
} from './invalidation-keys.ts';

/** The keys a change names, or none when nothing cached can depend on it. */
function keysOf(
  operation: 'upsert' | 'destroy' | 'revokeByGrantId' | 'revokeByAccountId' | 'revokeByClientId',
  model: OidcModelName,
  value: string,
): string[] {
  // A client's metadata or secret changed, or it went: its callers' answers and its tokens'.
  if (model === 'Client')
    return operation === 'upsert' || operation === 'destroy' ? [EVERYTHING] : [];
  switch (operation) {
    case 'upsert':
      // Tokens are written once, under a fresh id, when issued: nothing can have cached them.
      return [];
    case 'destroy':
      if (model === 'Grant') return [grantKey(value)];
      return CACHED_TOKEN_MODELS.has(model) ? [tokenKey(model, value)] : [];
    case 'revokeByGrantId':
      return CACHED_TOKEN_MODELS.has(model) ? [grantKey(value)] : [];
    case 'revokeByAccountId':
      return CACHED_TOKEN_MODELS.has(model) || model === 'Grant' ? [accountKey(value)] : [];
    case 'revokeByClientId':
      return [EVERYTHING];
  }
}

/**
 * The oidc store, telling the invalidation feed (src/cache/invalidation-feed.ts) of every change
 * that can make a cached introspection answer wrong, after the store made it: revocations by
 * token, grant, account or client, and client changes. Every process opening the store wraps it
 * (the server and the CLI alike), so `portcullis client delete` reaches the servers' caches.
 *
 * `consume` is not among them: only refresh tokens are consumed, and their answers are not
 * cached. That keeps the hot refresh path free of a second write.
 */
export function invalidatingOidcStore(
  store: OidcModelStore,
  publish: (keys: readonly string[]) => Promise<void>,
): OidcModelStore {
  const told = async (keys: string[]) => {
    if (keys.length > 0) await publish(keys);
  };
  return {
    ...store,
    async upsert(model, id, payload, expiresAt) {
      await store.upsert(model, id, payload, expiresAt);
      await told(keysOf('upsert', model, id));
    },
    async destroy(model, id) {
      await store.destroy(model, id);
      await told(keysOf('destroy', model, id));
    },
    async revokeByGrantId(model, grantId) {
      await store.revokeByGrantId(model, grantId);
      await told(keysOf('revokeByGrantId', model, grantId));
    },
    async revokeByAccountId(model, accountId) {
      const count = await store.revokeByAccountId(model, accountId);
      await told(keysOf('revokeByAccountId', model, accountId));
      return count;
    },
    async revokeByClientId(model, clientId) {
      const count = await store.revokeByClientId(model, clientId);
      await told(keysOf('revokeByClientId', model, clientId));
      return count;
    },
  };
}
