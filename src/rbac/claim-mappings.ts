import { z } from 'zod';
import { ATTRIBUTE_NAME_PATTERN } from './access-control-schemas.ts';
import { PROTECTED_CLAIMS } from './protected-claims.ts';

/**
 * A client's claim mapping (client metadata `claim_mappings`, issue 16): a declarative table, no
 * code. Each row releases one claim under the name the client expects:
 *
 * - `{ "claim": "department", "attribute": "department" }`: a custom account attribute an admin
 *   set ("portcullis user attributes");
 * - `{ "claim": "mail", "from": "email" }`: a standard claim under another name (a rename: the
 *   original name is no longer sent to this client). Released only when the scope that releases
 *   the original (`email`) was granted.
 *
 * `in` chooses where: the ID token and/or UserInfo (default both). A row may never name a
 * protocol claim (protected-claims.ts) as its target, and targets must be claims the provider
 * knows (standard ones or `oidc.customClaims`), checked when the client is saved.
 */

export const CLAIM_DESTINATIONS = ['id_token', 'userinfo'] as const;
export type ClaimDestination = (typeof CLAIM_DESTINATIONS)[number];

const claimName = z
  .string({ error: 'must be a claim name' })
  .regex(/^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/, 'must be a claim name of at most 64 characters');

export const claimMappingSchema = z
  .object({
    claim: claimName.refine((c) => !PROTECTED_CLAIMS.has(c), {
      message: 'is a protected claim and cannot be set by a mapping',
    }),
    attribute: z
      .string({ error: 'must be an attribute name' })
      .max(64)
      .regex(ATTRIBUTE_NAME_PATTERN, 'must be an attribute name')
      .optional(),
    from: claimName.optional(),
    in: z
      .array(z.enum(CLAIM_DESTINATIONS, { error: 'must only contain id_token, userinfo' }))
      .min(1, 'must not be empty')
      .optional(),
  })
  .strict()
  .refine((row) => (row.attribute === undefined) !== (row.from === undefined), {
    message: 'must name exactly one of attribute, from',
  });

export const claimMappingsSchema = z
  .array(claimMappingSchema, { error: 'must be a list of claim mappings' })
  .max(50, 'must have at most 50 rows')
  .refine((rows) => new Set(rows.map((r) => r.claim)).size === rows.length, {
    message: 'must not map one claim twice',
  });

export type ClaimMapping = z.output<typeof claimMappingSchema>;

/** The problem with a stored table for this provider, if any (targets it cannot release). */
export function claimMappingsProblem(
  value: unknown,
  releasable: ReadonlySet<string>,
): string | undefined {
  const parsed = claimMappingsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is not valid'}`.trim();
  }
  for (const row of parsed.data) {
    if (!releasable.has(row.claim))
      return `${row.claim} is not a claim this server releases (add it to oidc.customClaims)`;
  }
  return undefined;
}

/**
 * The claims after the client's table: `claims` is what the account offers for this use,
 * `attributes` its custom attribute values, `granted` the granted scopes' claim names.
 */
export function applyClaimMappings(
  claims: Record<string, unknown>,
  attributes: Readonly<Record<string, unknown>>,
  table: unknown,
  use: ClaimDestination,
): Record<string, unknown> {
  const parsed = claimMappingsSchema.safeParse(table);
  if (!parsed.success) return claims;
  const out = { ...claims };
  const renamed = new Set<string>();
  const set = new Set<string>();
  for (const row of parsed.data) {
    const source = row.from;
    if (source !== undefined) renamed.add(source);
    if (!(row.in ?? CLAIM_DESTINATIONS).includes(use)) continue;
    const value = source !== undefined ? claims[source] : attributes[row.attribute ?? ''];
    if (value !== undefined) {
      out[row.claim] = value;
      set.add(row.claim);
    }
  }
  // A rename replaces the original for this client, wherever the row releases it. A row that
  // maps a claim to itself (`{claim: "email", from: "email", in: ["userinfo"]}`) thereby chooses
  // where that claim goes: kept where the row applies, left out elsewhere.
  for (const source of renamed) {
    if (!PROTECTED_CLAIMS.has(source) && !set.has(source)) delete out[source];
  }
  return out;
}

/** The claims a table releases from custom attributes (the consent page names them). */
export function attributeClaimNames(table: unknown): string[] {
  const parsed = claimMappingsSchema.safeParse(table);
  return parsed.success
    ? parsed.data.filter((row) => row.attribute !== undefined).map((row) => row.claim)
    : [];
}
