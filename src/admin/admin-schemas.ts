import { z } from 'zod';
import { clientInputSchema } from '../clients/client-input-schema.ts';

/**
 * Request shapes of the admin API checked at the boundary, before any service sees them. All
 * `.strict()`: an unknown field is refused by name (no mass assignment, ASVS 15.3.3), and every
 * string is a string (no `{"$ne": ""}` reaching a query, ASVS 1.2.4). The services apply the
 * finer rules (username syntax, claim formats, password length) and answer `invalid_input`.
 * Client metadata is checked by the client service (RFC 7591 error shapes), not here.
 */

const text = (max: number) =>
  z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`);

export const userCreateSchema = z
  .object({
    username: text(64).describe(
      'Sign-in name: letters, digits, ".", "_" and "-", starting with a letter or digit.',
    ),
    password: text(1024)
      .optional()
      .describe(
        'Initial password (at least `passwords.minLength` characters). Never returned. Omitted with `invite`.',
      ),
    email: text(254).optional().describe('Email address; users may also sign in with it.'),
    email_verified: z.boolean({ error: 'must be true or false' }).optional(),
    claims: z
      .record(z.string(), z.unknown(), { error: 'must be an object of OIDC profile claims' })
      .optional()
      .describe('OIDC Core §5.1 profile claims: name, given_name, family_name, locale, ...'),
    invite: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe(
        'Email the user an invitation link to choose their own password (issue 15), instead of setting one: needs `email`, and no `password`.',
      ),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.invite === true && v.password !== undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'must be omitted with invite' });
    if (v.invite === true && v.email === undefined)
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'is required with invite' });
    if (v.invite !== true && v.password === undefined)
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required (or invite)' });
  });

export const userUpdateSchema = z
  .object({
    claims: z
      .record(z.string(), z.unknown(), { error: 'must be an object of OIDC profile claims' })
      .optional()
      .describe('Claims to set; a claim set to null is removed (RFC 7396 merge patch).'),
    email: text(254).nullable().optional().describe('New email address; null removes it.'),
    email_verified: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .refine(
    (v) => Object.keys(v).length > 0,
    'must change at least one of claims, email, email_verified',
  );

export const passwordResetSchema = z
  .object({ password: text(1024).describe('The new password. Never returned.') })
  .strict();

const limit = z
  .string()
  .regex(/^\d{1,6}$/, 'must be a whole number')
  .transform(Number)
  .optional()
  .describe('Page size, clamped to 1..100 (default 50).');
const cursor = z
  .string()
  .max(1024, 'is too long')
  .optional()
  .describe('Where the previous page stopped (its `next_cursor`).');

/** `?limit=&cursor=` of every listing. */
export const pageQuerySchema = z.object({ limit, cursor }).strict();

const instant = z
  .string()
  .max(40)
  .refine(
    (v) => /^\d{1,15}$/.test(v) || !Number.isNaN(Date.parse(v)),
    'must be an ISO 8601 time or epoch milliseconds',
  )
  .transform((v) => (/^\d{1,15}$/.test(v) ? Number(v) : Date.parse(v)))
  .optional();

export const auditQuerySchema = z
  .object({
    limit,
    cursor,
    type: text(100).optional().describe('Only events of this type, e.g. `client.created`.'),
    type_prefix: text(100)
      .optional()
      .describe('Only events whose type starts with this, e.g. `client.`.'),
    client_id: text(128).optional().describe('Only events about this client.'),
    subject: text(128).optional().describe('Only events about this user (`sub`).'),
    since: instant.describe('Only events at or after this time (ISO 8601 or epoch ms).'),
    until: instant.describe('Only events before this time (ISO 8601 or epoch ms).'),
  })
  .strict();

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

/** A requested page size clamped to 1..100 (as the issue asks: never more than 100). */
export function clampLimit(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(value), 1), MAX_PAGE_SIZE);
}

/**
 * PATCH /clients/{id} (RFC 7396 merge patch): any client field, `null` removes it. The result
 * is then checked as a whole by the client service, as a new client would be.
 */
export const clientPatchSchema = z
  .object(
    Object.fromEntries(
      Object.entries(clientInputSchema.shape).map(([field, schema]) => [
        field,
        (schema as z.ZodType).nullable().optional(),
      ]),
    ),
  )
  .strict();
