/**
 * Names of Portcullis's own client metadata (RFC 7591 §2 lets a server define more), in a module
 * that imports nothing, so the provider configuration, the client rules and the API registry can
 * all use them without import cycles.
 */

/** A client allowed to call the introspection endpoint (an API, RFC 7662 §2.1). */
export const RESOURCE_SERVER_METADATA = 'resource_server';

/**
 * Issue 16: which of a user's roles and groups a client may learn (`roles`/`groups` claims).
 * Lists of names, or prefixes ending in `*` (`orders-*`); `*` alone is every one. Absent: none,
 * so a client sees roles only once an admin said which.
 */
export const VISIBLE_ROLES_METADATA = 'visible_roles';
export const VISIBLE_GROUPS_METADATA = 'visible_groups';

/** Issue 16: the client's declarative claim mapping table (src/rbac/claim-mappings.ts). */
export const CLAIM_MAPPINGS_METADATA = 'claim_mappings';

/**
 * Second factors per client (`mfa` metadata, issue 14; default `mfa.defaultPolicy`): `none` a
 * password is enough; `optional` users who enrolled a factor must use it; `required` every user
 * must, and one without a factor enrols at sign-in (src/mfa/step-up-policy.ts).
 */
export const MFA_METADATA = 'mfa';
export const MFA_POLICY_VALUES = ['none', 'optional', 'required'] as const;
