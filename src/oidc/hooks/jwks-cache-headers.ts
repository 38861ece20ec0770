import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

/** Longest time a verifier may keep our JWKS without asking again. */
export const JWKS_MAX_AGE_CAP_SECONDS = 300;

/**
 * How long the JWKS may be cached. A rotation publishes the new key `keys.publishLeadSeconds`
 * before it signs (src/oidc/signing-keys.ts), and each process picks the new set up within
 * `keys.reloadIntervalSeconds`. A verifier that fetched the old set just before a process
 * picked the change up must have fetched again before the new key signs:
 * reload + max-age ≤ lead. Capped at 5 minutes so a key removed in an emergency leaves caches soon.
 */
export function jwksMaxAgeSeconds(keys: {
  publishLeadSeconds: number;
  reloadIntervalSeconds: number;
}): number {
  return Math.max(
    0,
    Math.min(JWKS_MAX_AGE_CAP_SECONDS, keys.publishLeadSeconds - keys.reloadIntervalSeconds),
  );
}

/**
 * Makes the provider's JWKS endpoint cacheable (RFC 9111 §5.2.2): APIs verifying JWT access tokens
 * locally, and relying parties verifying ID tokens, fetch it once per `max-age` instead of per
 * token. Shared caches may keep it too (`public`): it holds public keys only. With no lead time
 * to spare (`max-age` 0), verifiers must revalidate every time (`no-cache`).
 */
export function jwksCacheHeaders(options: { maxAgeSeconds: number }): Middleware {
  const value = options.maxAgeSeconds > 0 ? `public, max-age=${options.maxAgeSeconds}` : 'no-cache';
  return async function jwksCacheHeaders(ctx, next) {
    await next();
    if ((ctx as Partial<KoaContextWithOIDC>).oidc?.route === 'jwks' && ctx.status === 200) {
      ctx.set('Cache-Control', value);
    }
  };
}
