/**
 * Names of Portcullis's own client metadata (RFC 7591 §2 lets a server define more), in a module
 * that imports nothing, so the provider configuration, the client rules and the API registry can
 * all use them without import cycles.
 */

/** A client allowed to call the introspection endpoint (an API, RFC 7662 §2.1). */
export const RESOURCE_SERVER_METADATA = 'resource_server';

/**
 * Second factors per client (`mfa` metadata, issue 14; default `mfa.defaultPolicy`): `none` a
 * password is enough; `optional` users who enrolled a factor must use it; `required` every user
 * must, and one without a factor enrols at sign-in (src/mfa/step-up-policy.ts).
 */
export const MFA_METADATA = 'mfa';
export const MFA_POLICY_VALUES = ['none', 'optional', 'required'] as const;
