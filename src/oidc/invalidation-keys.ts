import { EVERYTHING } from '../cache/invalidation-feed.ts';
import type { OidcModelName } from '../storage/ports.ts';
import { storedIdOf } from './bearer-entries.ts';

/**
 * The names the cache invalidation feed speaks in (src/cache/invalidation-feed.ts). A token is
 * named by its stored (hashed) id, never by its value: the feed is in the database, and a
 * database copy must yield no usable token (issue 12 item 11).
 */

/** The token models whose introspection answers are cached (src/oidc/introspection-answer-cache.ts). */
export const CACHED_TOKEN_MODELS: ReadonlySet<OidcModelName> = new Set<OidcModelName>([
  'AccessToken',
  'ClientCredentials',
]);

const STORED_PREFIX = 'sha256:';

/** A token by the id the store keeps it under (a raw value is hashed first). */
export function tokenKey(model: OidcModelName, id: string): string {
  return `t:${model}:${id.startsWith(STORED_PREFIX) ? id : storedIdOf(model, id)}`;
}

export const grantKey = (grantId: string): string => `g:${grantId}`;
export const accountKey = (accountId: string): string => `a:${accountId}`;
export { EVERYTHING };
