import { z } from 'zod';
import { CLIENT_AUTH_METHODS, CLIENT_GRANT_TYPES } from '../clients/client-input-schema.ts';
import { SIGNING_ALGORITHMS } from '../config/schema.ts';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.ts';
import { ID_TOKEN_CLAIMS_MODES } from '../oidc/id-token-claims.ts';
import { MFA_POLICY_VALUES } from '../oidc/client-metadata.ts';

/**
 * What the admin API answers, as zod schemas: the OpenAPI document's response schemas are
 * generated from them (`z.toJSONSchema`, as the request schemas are), and a test parses real
 * answers with them, so the description cannot drift from what the server sends. Closed shapes
 * are `.strict()`: a field the server sends that is not described here (or the other way round)
 * fails that test. Nothing parses answers in production; the services build them.
 */

const epochSeconds = z.number().int().describe('Epoch seconds.');
const epochMillis = z.number().int().describe('Epoch milliseconds.');
const strList = z.array(z.string());
const signingAlg = z.enum(SIGNING_ALGORITHMS);

/** A client as stored (src/clients/client-service.ts `ClientView`): never its secret. */
export const clientSchema = z
  .object({
    client_id: z.string(),
    client_id_issued_at: epochSeconds,
    client_name: z.string(),
    application_type: z.enum(['web', 'native']),
    grant_types: z.array(z.enum(CLIENT_GRANT_TYPES)),
    response_types: strList,
    redirect_uris: strList,
    post_logout_redirect_uris: strList.optional(),
    backchannel_logout_uri: z
      .string()
      .optional()
      .describe(
        'Where a signed logout token is POSTed when a user of this client signs out (OIDC Back-Channel Logout 1.0 §2.2).',
      ),
    backchannel_logout_session_required: z
      .boolean()
      .optional()
      .describe('Every logout token carries the session id `sid` (present with the URI).'),
    token_endpoint_auth_method: z.enum(CLIENT_AUTH_METHODS),
    jwks: z
      .object({ keys: z.array(z.looseObject({ kty: z.string() })) })
      .strict()
      .optional(),
    jwks_uri: z.string().optional(),
    scope: z.string().optional(),
    resource_server: z.boolean().describe('May call the introspection endpoint (RFC 7662).'),
    logo_uri: z.string().optional(),
    client_uri: z.string().optional(),
    policy_uri: z.string().optional(),
    tos_uri: z.string().optional(),
    contacts: strList.optional(),
    id_token_signed_response_alg: signingAlg
      .optional()
      .describe('Absent: the server default (`oidc.idTokenSigningAlg`, RS256).'),
    userinfo_signed_response_alg: signingAlg
      .optional()
      .describe('UserInfo answers as a signed JWT (absent: plain JSON).'),
    introspection_signed_response_alg: signingAlg.optional(),
    token_endpoint_auth_signing_alg: signingAlg.optional(),
    default_max_age: z.number().int().optional().describe('Seconds (OIDC Registration §2).'),
    require_auth_time: z.boolean().optional(),
    id_token_claims: z
      .enum(ID_TOKEN_CLAIMS_MODES)
      .optional()
      .describe('Absent: the server default (`oidc.idTokenClaims`).'),
    mfa: z
      .enum(MFA_POLICY_VALUES)
      .optional()
      .describe('Second factors at sign-in; absent: the server default (`mfa.defaultPolicy`).'),
    // Clients registered at /reg (RFC 7591) also carry the engine's defaults of these three,
    // stored with them; the only values the registration policy allows.
    subject_type: z
      .literal('public')
      .optional()
      .describe('OIDC Core §8: only public subject identifiers are offered.'),
    require_pushed_authorization_requests: z.literal(false).optional(),
    dpop_bound_access_tokens: z.literal(false).optional(),
    visible_roles: strList
      .optional()
      .describe('Roles the client may learn (names, `prefix*`, `*`); absent: none (issue 16).'),
    visible_groups: strList.optional().describe('Groups the client may learn, as visible_roles.'),
    claim_mappings: z
      .array(
        z
          .object({
            claim: z.string(),
            attribute: z.string().optional(),
            from: z.string().optional(),
            in: z.array(z.enum(['id_token', 'userinfo'])).optional(),
          })
          .strict(),
      )
      .optional()
      .describe('The declarative claim mapping table (issue 16).'),
    client_secret_expires_at: epochSeconds
      .optional()
      .describe('0: the secret does not expire (RFC 7591 §3.2.1). Only for clients with a secret.'),
  })
  .strict();

/** A client with its secret: on creation, rotation, and a change that gave it one. */
export const createdClientSchema = clientSchema
  .extend({
    client_secret: z
      .string()
      .optional()
      .describe('Shown only in this answer; absent for clients without a secret.'),
  })
  .strict();

/** A user (src/accounts/account-service.ts `AccountView`): never a password hash. */
export const userSchema = z
  .object({
    id: z.string().describe('The OIDC `sub`.'),
    username: z.string(),
    email: z.string().optional(),
    emailVerified: z.boolean(),
    disabled: z.boolean(),
    claims: z.record(z.string(), z.unknown()),
    createdAt: epochMillis,
    updatedAt: epochMillis,
  })
  .strict();

/** An initial access token as listed (src/clients/initial-access-tokens.ts): never the token. */
export const initialAccessTokenSchema = z
  .object({
    id: z.string().describe('Public id (not the token).'),
    created_at: epochSeconds,
    expires_at: epochSeconds.nullable(),
    max_uses: z.number().int().nullable(),
    uses: z.number().int(),
    description: z.string().nullable(),
    created_by: z.string().nullable(),
  })
  .strict();

export const createdInitialAccessTokenSchema = initialAccessTokenSchema
  .extend({ initial_access_token: z.string().describe('The token itself, shown only here.') })
  .strict();

export const auditEventSchema = z
  .object({
    id: z.string(),
    time: z.iso.datetime(),
    type: z.string().meta({
      examples: ['admin.client.created', 'admin.user.disabled', 'registration.client.created'],
    }),
    actor: z
      .string()
      .nullable()
      .describe('The admin client id, `cli`, or the registration token used.'),
    client_id: z.string().nullable(),
    subject: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  })
  .strict();

/** `{items, next_cursor}`, the answer of every listing. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z
    .object({
      items: z.array(item),
      next_cursor: z
        .string()
        .nullable()
        .describe('Pass as `cursor` for the next page; null on the last page.'),
    })
    .strict();
}

export const clientPageSchema = pageSchema(clientSchema);
export const userPageSchema = pageSchema(userSchema);
export const initialAccessTokenPageSchema = pageSchema(initialAccessTokenSchema);
export const auditEventPageSchema = pageSchema(auditEventSchema);

// Roles, groups, attributes and signing keys (issue 16).
const accessName = z.string().describe('A role or group name.');

export const roleSchema = z
  .object({
    name: accessName,
    description: z.string(),
    created_at: epochMillis,
    updated_at: epochMillis,
  })
  .strict();

export const groupSchema = roleSchema
  .extend({
    roles: strList.describe('Roles assigned to the group: every member holds them.'),
    members: z
      .object({
        users: strList.describe('User ids (`sub`).'),
        groups: strList.describe('Groups inside this one: their members are members too.'),
      })
      .strict(),
  })
  .strict();

const attributeValue = z.union([z.string(), z.number(), z.boolean(), strList]);

export const userAccessSchema = z
  .object({
    id: z.string().describe('The OIDC `sub`.'),
    roles: strList.describe('Roles assigned to the user directly.'),
    groups: strList.describe('Groups the user is directly in.'),
    effective_roles: strList.describe(
      'Own roles and those of every group reached: what tokens carry.',
    ),
    effective_groups: strList,
    attributes: z.record(z.string(), attributeValue).describe('Custom attribute values.'),
  })
  .strict();

export const attributeSchema = z
  .object({
    name: z.string(),
    type: z.enum(['string', 'number', 'boolean', 'string[]']),
    description: z.string(),
    createdAt: epochMillis,
  })
  .strict();

export const attributeListSchema = z.object({ items: z.array(attributeSchema) }).strict();

export const signingKeySchema = z
  .object({
    kid: z.string(),
    alg: z.string(),
    state: z.enum(['pending', 'active', 'retired', 'expired']),
    created_at: epochMillis,
    activates_at: epochMillis,
    retired_at: epochMillis.nullable(),
    expires_at: epochMillis.nullable(),
  })
  .strict()
  .describe('A signing key: never its private part.');

export const signingKeyListSchema = z.object({ items: z.array(signingKeySchema) }).strict();

export const keyRotationSchema = z
  .object({
    added: z.array(
      z.object({ kid: z.string(), alg: z.string(), activates_at: epochMillis }).strict(),
    ),
    retired: z.array(
      z
        .object({
          kid: z.string(),
          alg: z.string(),
          retired_at: epochMillis,
          expires_at: epochMillis,
        })
        .strict(),
    ),
  })
  .strict();

export const keyPruneSchema = z.object({ removed: strList }).strict();

export const rolePageSchema = pageSchema(roleSchema);
export const groupPageSchema = pageSchema(groupSchema);

const CATALOGUE_CODES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/**
 * The error answer (src/admin/admin-error-handler.ts). `codes` narrows `error` to those an
 * operation can answer with a status; without, any code of the catalogue.
 */
export function errorSchema(codes: readonly ErrorCode[] = CATALOGUE_CODES) {
  return z
    .object({
      error: z
        .enum(codes as [ErrorCode, ...ErrorCode[]])
        .describe('Stable code from the error catalogue (src/errors/error-codes.ts).'),
      error_description: z.string().describe('For field errors, `field: problem; ...`.'),
      details: z
        .record(z.string(), z.string())
        .optional()
        .describe('Each field at fault and what is wrong with it.'),
      request_id: z.string(),
    })
    .strict();
}

/** A user's session (issue 15 item 6): never its cookie value or stored id. */
export const userSessionSchema = z
  .object({
    id: z.string().describe('The session, as `DELETE` and the account page name it (its uid).'),
    signedInAt: z.string().optional().describe('ISO 8601'),
    lastUsedAt: z.string().optional().describe('ISO 8601'),
    userAgent: z.string().optional(),
    ip: z.string().optional(),
    clientIds: z.array(z.string()).describe('Apps signed in through this session.'),
  })
  .strict();
export const userSessionListSchema = z.object({ items: z.array(userSessionSchema) }).strict();

/** An app the user granted access to. */
export const userGrantSchema = z
  .object({
    id: z.string(),
    clientId: z.string(),
    clientName: z.string(),
    scopes: z.array(z.string()),
    resources: z.record(z.string(), z.array(z.string())),
    grantedAt: z.string().optional().describe('ISO 8601'),
  })
  .strict();
export const userGrantListSchema = z.object({ items: z.array(userGrantSchema) }).strict();
export const clientsReencryptedSchema = z
  .object({
    clients: z.number().int().describe('Clients with a stored secret.'),
    reencrypted: z
      .number()
      .int()
      .describe(
        'Of those, how many were in clear or under an older key and now are under the newest.',
      ),
  })
  .strict();

export const sessionsEndedSchema = z
  .object({ ended: z.number().int().describe('Sessions signed out.') })
  .strict();
