import type { FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import { applyClaimMappings } from '../rbac/claim-mappings.ts';
import {
  clientMetadata,
  mapsAttributes,
  roleClaims,
  type AccessReader,
} from '../rbac/role-claims.ts';
import { CLAIM_MAPPINGS_METADATA } from './client-metadata.ts';
import { ID_TOKEN_CLAIMS_METADATA, type IdTokenClaimsMode } from './id-token-claims.ts';
import { SCOPE_CLAIMS } from './scopes.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';

export interface FindAccountOptions {
  /** `oidc.idTokenClaims`: the default for clients without `id_token_claims` metadata. */
  idTokenClaims?: IdTokenClaimsMode | undefined;
  /** Roles, groups and custom attributes (issue 16); none are released without it. */
  access?: AccessReader | undefined;
}

/** The claim names the granted scopes release (OIDC Core §5.4), for renames by a mapping. */
function scopeClaimNames(scope: string): Set<string> {
  const names = new Set<string>();
  for (const granted of scope.split(' ')) {
    const claims = (SCOPE_CLAIMS as Record<string, readonly string[]>)[granted];
    for (const claim of claims ?? []) names.add(claim);
  }
  return names;
}

/** The mode for this request's client: its own metadata first, then the server's default. */
function idTokenClaimsMode(
  ctx: KoaContextWithOIDC | undefined,
  fallback: IdTokenClaimsMode,
): IdTokenClaimsMode {
  // oidc-provider exposes extra client metadata as properties of the client, under their names.
  const own = (ctx?.oidc?.client as Record<string, unknown> | undefined)?.[
    ID_TOKEN_CLAIMS_METADATA
  ];
  return own === 'scopes' || own === 'userinfo' ? own : fallback;
}

/**
 * oidc-provider's `findAccount`. It is called at every sign-in, token refresh and userinfo
 * request, so a disabled or deleted user stops getting tokens and claims at once (ASVS 7.4.2):
 * answering `undefined` makes refresh fail with `invalid_grant` and userinfo with `invalid_token`.
 * An unreachable accounts store is an outage, not a missing user: the request answers 503
 * `temporarily_unavailable` (oidc-provider alone would answer 500 `server_error`).
 */
export function createFindAccount(
  accounts: Pick<AccountService, 'findById'>,
  options: FindAccountOptions = {},
): FindAccount {
  const fallback = options.idTokenClaims ?? 'scopes';
  return async function findAccount(ctx, sub) {
    const account = await answerOutageAsOAuth(() => accounts.findById(sub));
    if (!account || account.disabled) return undefined;
    return {
      accountId: account.id,
      // oidc-provider keeps only the claims the granted scopes and `claims` parameter allow.
      async claims(use, scope, requested) {
        const client = clientMetadata(ctx?.oidc?.client);
        const granted = new Set((scope ?? '').split(' '));
        const base: Record<string, unknown> = {
          ...account.claims,
          sub: account.id,
          preferred_username: account.username,
          // OIDC Core §5.1: seconds since the epoch of the last change of the user's information.
          updated_at: Math.floor(account.updatedAt / 1000),
          ...(account.email === undefined
            ? {}
            : { email: account.email, email_verified: account.emailVerified }),
          // Phone numbers are set by admins and never verified by Portcullis: say so rather than
          // leave a claim we advertise (claims_supported) unanswered.
          ...(typeof account.claims.phone_number === 'string'
            ? { phone_number_verified: false }
            : {}),
          // Issue 16: the user's roles and groups this client may know (src/rbac/role-claims.ts).
          ...(options.access ? await roleClaims(options.access, account.id, client, granted) : {}),
        };
        // Issue 16: the client's claim mapping table. A renamed claim is taken only from what
        // the granted scopes (or the `claims` parameter) release, so a rename never widens them.
        let all = base;
        const table = client?.[CLAIM_MAPPINGS_METADATA];
        if (Array.isArray(table) && table.length > 0) {
          const releasable = scopeClaimNames(scope ?? '');
          for (const name of Object.keys(requested ?? {})) releasable.add(name);
          const sources = Object.fromEntries(
            Object.entries(base).filter(([name]) => releasable.has(name)),
          );
          const attributes =
            options.access && mapsAttributes(client)
              ? await options.access.attributes.valuesOf(account.id)
              : {};
          const mapped = applyClaimMappings(
            sources,
            attributes,
            table,
            use === 'id_token' ? 'id_token' : 'userinfo',
          );
          all = { ...base, ...mapped };
          for (const name of Object.keys(sources)) if (!(name in mapped)) delete all[name];
        }
        // `userinfo` mode: the ID token carries `sub` and only the claims the RP named in the
        // `claims` request parameter for it (OIDC Core §5.5); the rest comes from UserInfo.
        if (use === 'id_token' && idTokenClaimsMode(ctx, fallback) === 'userinfo') {
          const named = Object.keys(requested ?? {});
          return Object.fromEntries(
            Object.entries(all).filter(([name]) => name === 'sub' || named.includes(name)),
          ) as { sub: string };
        }
        return all as { sub: string };
      },
    };
  };
}
