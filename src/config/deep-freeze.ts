/**
 * Freezes a plain value and everything inside it, in place; returns it. The configuration is
 * frozen once at start (load-config.ts); the caches freeze the copies they hand out to every
 * reader (src/oidc/cached-client-reads.ts, src/oidc/introspection-answer-cache.ts).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
