/**
 * Collection names: one collection per oidc-provider model (so each gets only the indexes its
 * lookups need, and a model's TTL sweep never scans another's documents), plus accounts, signing
 * keys, settings, counters and security events.
 */
import { OIDC_MODELS } from '../ports.ts';
import type { OidcModelName } from '../ports.ts';

/** `AuthorizationCode` → `oidc_authorization_code`. */
export function oidcCollectionName(model: OidcModelName): string {
  return `oidc_${model.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase()}`;
}

export const OIDC_COLLECTIONS: ReadonlyArray<{ model: OidcModelName; name: string }> =
  OIDC_MODELS.map((model) => ({ model, name: oidcCollectionName(model) }));

export const ACCOUNTS_COLLECTION = 'accounts';
export const SIGNING_KEYS_COLLECTION = 'signing_keys';
export const SETTINGS_COLLECTION = 'settings';

/**
 * Insert-once markers that make `consume` atomic on servers whose conditional updates are not
 * (FerretDB 1.x, see detect-atomic-updates.ts). Unused, and empty, on MongoDB.
 */
export const CONSUME_MARKERS_COLLECTION = 'oidc_consume_markers';

/** Fixed-window counters on servers whose conditional updates are atomic (MongoDB). */
export const COUNTERS_COLLECTION = 'counters';

/** Insert-once counter units on servers whose updates are not atomic (FerretDB 1.x). */
export const COUNTER_SLOTS_COLLECTION = 'counter_slots';

export const EVENTS_COLLECTION = 'events';

/** The cache invalidation feed (src/cache/invalidation-feed.ts), pruned after a minute. */
export const INVALIDATIONS_COLLECTION = 'cache_invalidations';

/** Resource servers (APIs), and the one document holding their change tag. */
export const RESOURCE_SERVERS_COLLECTION = 'resource_servers';
export const RESOURCE_SERVERS_VERSION_COLLECTION = 'resource_servers_version';

/** Records of one-off data migrations already applied to this database. */
export const STORAGE_MIGRATIONS_COLLECTION = 'storage_migrations';

/** Roles, groups, memberships, role assignments and account attributes (issue 16). */
export const RBAC_ROLES_COLLECTION = 'rbac_roles';
export const RBAC_GROUPS_COLLECTION = 'rbac_groups';
export const RBAC_GROUP_MEMBERS_COLLECTION = 'rbac_group_members';
export const RBAC_ROLE_ASSIGNMENTS_COLLECTION = 'rbac_role_assignments';
export const RBAC_ATTRIBUTES_COLLECTION = 'rbac_attributes';
export const RBAC_ACCOUNT_ATTRIBUTES_COLLECTION = 'rbac_account_attributes';
/** One-time links (hashed), and insert-once markers that make their use atomic everywhere. */
export const ACCOUNT_TOKENS_COLLECTION = 'account_tokens';
export const ACCOUNT_TOKEN_USES_COLLECTION = 'account_token_uses';

/** Sessions' devices and addresses, and the devices each account signed in from. */
export const SESSION_ACTIVITY_COLLECTION = 'session_activity';
export const ACCOUNT_DEVICES_COLLECTION = 'account_devices';
