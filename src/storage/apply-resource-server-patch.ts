import type { ResourceServerPatch, ResourceServerRecord } from './ports.ts';

/**
 * The record after `patch`: a field the patch names is replaced. `accessTokenTtlSeconds` is
 * optional in the record, so naming it with `undefined` clears it (back to the default); the other
 * fields are required, so an `undefined` there is ignored rather than stored. Arrays are copied so
 * the result shares nothing with the caller's objects.
 */
export function applyResourceServerPatch(
  record: ResourceServerRecord,
  patch: ResourceServerPatch,
  updatedAt: number,
): ResourceServerRecord {
  const next: ResourceServerRecord = structuredClone({ ...record, updatedAt });
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.scopes !== undefined) next.scopes = structuredClone(patch.scopes);
  if (patch.tokenFormat !== undefined) next.tokenFormat = patch.tokenFormat;
  if ('accessTokenTtlSeconds' in patch) next.accessTokenTtlSeconds = patch.accessTokenTtlSeconds;
  if (patch.signingAlg !== undefined) next.signingAlg = patch.signingAlg;
  if (patch.introspectionClientIds !== undefined)
    next.introspectionClientIds = [...patch.introspectionClientIds];
  if (patch.clientCredentialsGrants !== undefined)
    next.clientCredentialsGrants = structuredClone(patch.clientCredentialsGrants);
  // An empty list is stored as none (absent), as every backend reads it.
  if (patch.roleScopes !== undefined) {
    if (patch.roleScopes.length > 0) next.roleScopes = structuredClone(patch.roleScopes);
    else delete next.roleScopes;
  }
  return next;
}
