import { AnswerCache, type CacheObserver } from '../cache/answer-cache.ts';
import { deepFreeze } from '../config/deep-freeze.ts';
import { EVERYTHING, type InvalidationFeed } from '../cache/invalidation-feed.ts';
import type { OidcModelStore, OidcPayload } from '../storage/ports.ts';

/** A safety net only: entries leave by invalidation long before (clients change rarely). */
const MAX_AGE_MS = 10 * 60_000;

/**
 * Client metadata read through an in-process cache (issue 13 item 7, issue 18 item 1): the engine
 * looks its client up on every token, introspection and revocation request, and a client changes
 * a few times in its life. Entries are the decrypted metadata (what `inner`, the encrypted client
 * store, returns), dropped when the invalidation feed reports a client change from any process
 * (src/oidc/invalidating-oidc-store.ts publishes every Client write), and read only while the
 * feed is fresh, so a change is seen everywhere within `cache.invalidationBoundMs`. Everything
 * else passes through.
 */
export function cachedClientReads(deps: {
  inner: OidcModelStore;
  feed: InvalidationFeed;
  maxEntries: number;
  now?: () => number;
  observer?: CacheObserver | undefined;
}): OidcModelStore {
  const { inner, feed } = deps;
  const now = deps.now ?? Date.now;
  const cache = new AnswerCache<OidcPayload>({
    maxEntries: deps.maxEntries,
    now,
    observer: deps.observer,
  });
  // Client writes are published as EVERYTHING (a client change can touch any cached answer).
  feed.subscribe((keys) => {
    if (keys.includes(EVERYTHING)) cache.clear();
  });
  return {
    ...inner,
    async find(model, id) {
      if (model !== 'Client' || !feed.fresh()) return inner.find(model, id);
      const hit = cache.get(id);
      if (hit !== undefined) return hit;
      const generation = cache.generation();
      const found = await inner.find(model, id);
      if (found === undefined) return undefined;
      const copy = deepFreeze(JSON.parse(JSON.stringify(found)) as OidcPayload);
      cache.set(id, { value: copy, expiresAt: now() + MAX_AGE_MS, tags: [] }, generation);
      return copy;
    },
  };
}
