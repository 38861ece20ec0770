import { createHash } from 'node:crypto';

/**
 * A short-lived, bounded cache of introspection answers, so an API under load does not ask
 * Portcullis once per request for the same token.
 *
 * - Keyed by the SHA-256 of the token, never the token itself: a heap dump or a debug log of
 *   the cache holds no usable credential.
 * - An answer lives for `ttlSeconds`, and never past the token's own `exp`.
 * - At most `maxEntries` answers (least recently used go first), so a flood of made-up tokens
 *   cannot grow memory without bound.
 * The price: a token revoked at Portcullis is still accepted here for up to `ttlSeconds`.
 */
export interface IntrospectionCache<T> {
  get(token: string): T | undefined;
  set(token: string, value: T, tokenExpiresAt?: number): void;
  readonly size: number;
}

export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function createIntrospectionCache<T>(options: {
  ttlSeconds: number;
  maxEntries: number;
  now?: () => number;
}): IntrospectionCache<T> {
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order: re-inserting on every hit keeps the oldest use first.
  const entries = new Map<string, { value: T; expiresAt: number }>();

  return {
    get(token) {
      if (options.ttlSeconds <= 0) return undefined;
      const key = tokenKey(token);
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },

    set(token, value, tokenExpiresAt) {
      if (options.ttlSeconds <= 0 || options.maxEntries <= 0) return;
      const expiresAt = Math.min(
        now() + options.ttlSeconds * 1000,
        tokenExpiresAt ?? Number.POSITIVE_INFINITY,
      );
      if (expiresAt <= now()) return;
      const key = tokenKey(token);
      entries.delete(key);
      entries.set(key, { value, expiresAt });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },

    get size() {
      return entries.size;
    },
  };
}
