/**
 * The provider's scopes, in a module that imports nothing, so any module (the provider
 * configuration, the client rules, the resource servers) can use them without import cycles.
 */

/**
 * The scope the admin API requires (src/admin/require-admin-token.ts). Only clients whose sole
 * grant is client_credentials may register it (src/clients/client-rules.ts), and no client gets
 * it unless its registered `scope` names it (`clientDefaults.scope` is DEFAULT_CLIENT_SCOPE), so
 * no user-facing authorization request can obtain it.
 */
export const ADMIN_SCOPE = 'admin';

/**
 * Finer admin authority (issue 16): each admin API operation names one of these (the route table,
 * src/admin/admin-routes.ts); `admin` stands for all of them. They follow the same rules as
 * `admin`: registered by an admin, on client-credentials-only clients.
 */
export const ADMIN_SUB_SCOPES = [
  'admin:read',
  'admin:clients',
  'admin:users',
  'admin:keys',
] as const;
export type AdminSubScope = (typeof ADMIN_SUB_SCOPES)[number];

/** `admin` and every `admin:*` scope. */
export const ADMIN_SCOPE_NAMES: ReadonlySet<string> = new Set([ADMIN_SCOPE, ...ADMIN_SUB_SCOPES]);

/** Scopes that release a user's roles and groups (issue 16; src/rbac/role-claims.ts). */
export const ROLES_SCOPE = 'roles';
export const GROUPS_SCOPE = 'groups';

/** The scopes every client may request unless its `scope` metadata says otherwise: all but admin. */
export const DEFAULT_CLIENT_SCOPE = 'openid offline_access profile email phone roles groups';

/** Every scope the provider itself knows (API scopes come from the registered APIs). */
export const PROVIDER_SCOPES: ReadonlySet<string> = new Set([
  ...DEFAULT_CLIENT_SCOPE.split(' '),
  ...ADMIN_SCOPE_NAMES,
]);

/**
 * OIDC Core §5.4: which claims each scope releases. The provider releases claims by it and the
 * consent page uses it to avoid listing a claim a requested scope already covers.
 */
export const SCOPE_CLAIMS = {
  // The protocol claims with it: every ID token says how and when the user signed in (OIDC Core
  // §2 `acr`, `auth_time`; RFC 8176 `amr`), as Keycloak's do, not only when the RP asked.
  openid: ['sub', 'acr', 'amr', 'auth_time'],
  profile: [
    'name',
    'given_name',
    'family_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
  // Issue 16: the user's effective roles and groups, filtered per client (`visible_roles`).
  roles: ['roles'],
  groups: ['groups'],
} as const;
