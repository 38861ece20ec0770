import {
  CLAIM_MAPPINGS_METADATA,
  VISIBLE_GROUPS_METADATA,
  VISIBLE_ROLES_METADATA,
} from '../oidc/client-metadata.ts';
import { GROUPS_SCOPE, ROLES_SCOPE } from '../oidc/scopes.ts';
import type { AccessControlService } from './access-control-service.ts';
import { visibleNames } from './visible-names.ts';

/** What the claims code needs of the access-control service. */
export type AccessReader = Pick<AccessControlService, 'effective'> & {
  attributes: Pick<AccessControlService['attributes'], 'valuesOf'>;
};

/** A client as oidc-provider exposes it: extra metadata are properties under their names. */
export type ClientMetadataBag = Record<string, unknown> | undefined;

export function clientMetadata(client: unknown): ClientMetadataBag {
  return (client ?? undefined) as ClientMetadataBag;
}

/**
 * The `roles` and `groups` claims for one client (issue 16): the user's effective roles and
 * groups, only those the client may know (`visible_roles`, `visible_groups`), each only when its
 * scope was granted. An empty list is left out: a client that may see no role gets no claim.
 */
export async function roleClaims(
  access: AccessReader,
  accountId: string,
  client: ClientMetadataBag,
  grantedScopes: ReadonlySet<string>,
): Promise<{ roles?: string[]; groups?: string[] }> {
  // Nothing to read when the scope is not granted or the client may see none.
  const wantsRoles =
    grantedScopes.has(ROLES_SCOPE) && client?.[VISIBLE_ROLES_METADATA] !== undefined;
  const wantsGroups =
    grantedScopes.has(GROUPS_SCOPE) && client?.[VISIBLE_GROUPS_METADATA] !== undefined;
  if (!wantsRoles && !wantsGroups) return {};
  const effective = await access.effective(accountId);
  const roles = wantsRoles ? visibleNames(effective.roles, client?.[VISIBLE_ROLES_METADATA]) : [];
  const groups = wantsGroups
    ? visibleNames(effective.groups, client?.[VISIBLE_GROUPS_METADATA])
    : [];
  return {
    ...(roles.length > 0 ? { roles } : {}),
    ...(groups.length > 0 ? { groups } : {}),
  };
}

/** Whether the client's claim mapping releases any custom attribute (worth a store read). */
export function mapsAttributes(client: ClientMetadataBag): boolean {
  const table = client?.[CLAIM_MAPPINGS_METADATA];
  return (
    Array.isArray(table) &&
    table.some((row) => typeof (row as { attribute?: unknown }).attribute === 'string')
  );
}
