import { z } from 'zod';

/**
 * Input shapes of roles, groups and attributes, shared by the admin API (its OpenAPI request
 * schemas) and the CLI. `.strict()` everywhere: an unknown field is refused by name.
 */

/** Role and group names: short, printable, safe in a token claim, a URL path and a shell. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const MAX_NAME_LENGTH = 64;
export const MAX_DESCRIPTION_LENGTH = 200;

export const nameSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
  .regex(
    NAME_PATTERN,
    'may hold letters, digits, ".", "_", ":" and "-", starting with a letter or digit',
  );

const description = z
  .string({ error: 'must be a string' })
  .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);

export const roleCreateSchema = z
  .object({
    name: nameSchema.describe('The role name, as tokens carry it in `roles` (never changes).'),
    description: description.optional().describe('What holders of the role may do.'),
  })
  .strict();

export const roleUpdateSchema = z.object({ description }).strict();

export const groupCreateSchema = z
  .object({
    name: nameSchema.describe('The group name, as tokens carry it in `groups` (never changes).'),
    description: description.optional(),
  })
  .strict();

export const groupUpdateSchema = z.object({ description }).strict();

/** A member to add or remove: a user (by id, the OIDC `sub`) or another group. */
export const memberSchema = z
  .object({
    user: z
      .string({ error: 'must be a string' })
      .max(128, 'must be at most 128 characters')
      .optional()
      .describe('A user id (`sub`).'),
    group: nameSchema.optional().describe('A group, whose members then belong to this one too.'),
  })
  .strict()
  .refine((m) => (m.user === undefined) !== (m.group === undefined), {
    message: 'must name exactly one of user, group',
  });

export const roleRefSchema = z.object({ role: nameSchema }).strict();

/** Custom attribute names: claim-name-like, never a protected claim (checked by the service). */
export const ATTRIBUTE_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

export const ATTRIBUTE_TYPES = ['string', 'number', 'boolean', 'string[]'] as const;

export const attributeDefineSchema = z
  .object({
    name: z
      .string({ error: 'must be a string' })
      .max(64, 'must be at most 64 characters')
      .regex(
        ATTRIBUTE_NAME_PATTERN,
        'must be lower-case letters, digits and "_", starting with a letter',
      ),
    type: z.enum(ATTRIBUTE_TYPES, { error: `must be one of ${ATTRIBUTE_TYPES.join(', ')}` }),
    description: description.optional(),
  })
  .strict();

/** Attribute values to set (RFC 7396 merge patch: null removes one). */
export const attributeValuesSchema = z.record(
  z.string().max(64),
  z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]),
  { error: 'must be an object of attribute values' },
);
