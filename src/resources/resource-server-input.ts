import { z } from 'zod';
import { ADMIN_SCOPE_NAMES, DEFAULT_CLIENT_SCOPE } from '../oidc/scopes.ts';

/**
 * What an admin may say about an API (a resource server, RFC 8707). `.strict()`: any other field
 * is refused by name rather than stored. Names follow the client metadata's snake_case style.
 */

export const TOKEN_FORMATS = ['jwt', 'opaque'] as const;

/**
 * Scope names an API may not define: the provider's own scopes. oidc-provider treats them apart
 * (OIDC claims, a client's `scope` allow-list), and `admin` opens the admin API.
 */
export const RESERVED_SCOPES: ReadonlySet<string> = new Set([
  ...DEFAULT_CLIENT_SCOPE.split(' '),
  ...ADMIN_SCOPE_NAMES,
]);

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const CLIENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

const required = (what: string) => ({
  error: (issue: { input?: unknown }) =>
    issue.input === undefined ? 'is required' : `must be ${what}`,
});

const hasControl = (value: string): boolean => [...value].some((ch) => /\p{Cc}/u.test(ch));

/**
 * RFC 8707 §2: an absolute URI without a fragment. Compared with what clients send as an exact
 * string, so it is stored as given, not normalised (`https://a.example` stays without a slash).
 */
export function identifierProblem(value: string): string | undefined {
  if (/\s/.test(value) || hasControl(value)) return 'must not contain spaces or control characters';
  const url = URL.parse(value);
  if (url === null)
    return 'must be an absolute URI, e.g. https://api.example.com/orders (RFC 8707 §2)';
  if (value.includes('#')) return 'must not contain a fragment (RFC 8707 §2)';
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    if (url.username !== '' || url.password !== '')
      return 'must not contain a user name or password';
  }
  return undefined;
}

const identifier = z
  .string(required('a string'))
  .min(1, 'must not be empty')
  .max(2000, 'must be at most 2000 characters')
  .superRefine((value, ctx) => {
    const problem = identifierProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const name = z
  .string(required('a string'))
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((v) => !hasControl(v), 'must not contain control characters');

const scope = z
  .object(
    {
      name: z
        .string(required('a string'))
        .min(1, 'must not be empty')
        .max(128, 'must be at most 128 characters')
        .regex(SCOPE_TOKEN, 'must be one scope token without spaces or quotes (RFC 6749 §3.3)')
        .refine(
          (v) => !RESERVED_SCOPES.has(v),
          `must not be one of the server's own scopes (${[...RESERVED_SCOPES].join(', ')})`,
        ),
      description: z
        .string(required('a string'))
        .trim()
        .max(500, 'must be at most 500 characters')
        .refine((v) => !hasControl(v), 'must not contain control characters')
        .optional(),
    },
    required('an object {"name", "description"}'),
  )
  .strict();

const scopes = z
  .array(scope, required('a list of scopes'))
  .max(100, 'must have at most 100 entries')
  .refine(
    (list) => new Set(list.map((s) => s.name)).size === list.length,
    'must not repeat a scope name',
  );

const clientIds = z
  .array(
    z.string(required('a string')).regex(CLIENT_ID, 'must be client ids'),
    required('a list of client ids'),
  )
  .max(20, 'must have at most 20 entries')
  .refine((list) => new Set(list).size === list.length, 'must not repeat a client id');

/** Some of the API's scopes, granted to a client or a role. */
const grantedScopes = z
  .array(
    z.string(required('a string')).regex(SCOPE_TOKEN, 'must be scope names'),
    required('a list of scope names'),
  )
  .max(100, 'must have at most 100 entries')
  .refine((list) => new Set(list).size === list.length, 'must not repeat a scope');

const clientGrant = z
  .object(
    {
      client_id: z.string(required('a string')).regex(CLIENT_ID, 'must be a client id'),
      scopes: grantedScopes,
    },
    required('an object {"client_id", "scopes"}'),
  )
  .strict();

const clientGrants = z
  .array(clientGrant, required('a list of {"client_id", "scopes"}'))
  .max(50, 'must have at most 50 entries')
  .refine(
    (list) => new Set(list.map((g) => g.client_id)).size === list.length,
    'must not name a client twice',
  );

/** Issue 16: `{role, scopes}` — the API scopes a role allows its holders in user-facing flows. */
const roleScope = z
  .object(
    {
      role: z
        .string(required('a string'))
        .max(64, 'must be a role name of at most 64 characters')
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a role name'),
      scopes: grantedScopes,
    },
    required('an object {"role", "scopes"}'),
  )
  .strict();

const roleScopes = z
  .array(roleScope, required('a list of {"role", "scopes"}'))
  .max(100, 'must have at most 100 entries')
  .refine(
    (list) => new Set(list.map((r) => r.role)).size === list.length,
    'must not name a role twice',
  );

export const resourceServerInputSchema = z
  .object({
    identifier,
    name,
    scopes: scopes.optional(),
    token_format: z
      .enum(TOKEN_FORMATS, { error: `must be ${TOKEN_FORMATS.join(' or ')}` })
      .optional(),
    access_token_ttl: z
      .number(required('a whole number of seconds'))
      .int('must be a whole number of seconds')
      .positive('must be positive')
      .optional(),
    signing_alg: z.string(required('a string')).optional(),
    introspection_client_ids: clientIds.optional(),
    client_credentials_grants: clientGrants.optional(),
    role_scopes: roleScopes.optional(),
  })
  .strict();

export type ResourceServerInput = z.input<typeof resourceServerInputSchema>;
export type ParsedResourceServerInput = z.output<typeof resourceServerInputSchema>;

/** The fields of the input, in the order they are shown. */
export const RESOURCE_SERVER_INPUT_FIELDS = [
  'identifier',
  'name',
  'scopes',
  'token_format',
  'access_token_ttl',
  'signing_alg',
  'introspection_client_ids',
  'client_credentials_grants',
  'role_scopes',
] as const;

/** Zod issues as `{ field: problem }`, the first problem of each field (the one to fix first). */
export function describeIssues(error: z.ZodError): Record<string, string> {
  const details = new Map<string, string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) details.set(key.slice(0, 64), 'is not a field of an API');
      continue;
    }
    const [field, ...rest] = issue.path;
    const key = field === undefined ? 'api' : String(field);
    const where = rest.length > 0 ? `[${rest.map(String).join('.')}] ` : '';
    if (!details.has(key)) details.set(key, `${where}${issue.message}`);
  }
  // Object.fromEntries defines own properties, so a field named `__proto__` stays data.
  return Object.fromEntries(details);
}
