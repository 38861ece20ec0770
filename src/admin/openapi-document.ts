import { z } from 'zod';
import { clientInputSchema } from '../clients/client-input-schema.ts';
import { initialAccessTokenInputSchema } from '../clients/initial-access-tokens.ts';
import { ADMIN_SCOPE } from '../oidc/scopes.ts';
import {
  auditQuerySchema,
  clientPatchSchema,
  pageQuerySchema,
  passwordResetSchema,
  userCreateSchema,
  userUpdateSchema,
} from './admin-schemas.ts';

/**
 * The OpenAPI 3.1 description of the admin API, served at /admin/v1/openapi.json. Request
 * schemas are generated from the zod schemas the API validates with (`z.toJSONSchema`), so they
 * cannot drift; a test checks that every route of the router is described with its method and
 * `operationId`, and that every example request body passes its schema.
 */

type Json = Record<string, unknown>;

export interface AdminOperation {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template, relative to /admin/v1. */
  path: string;
  summary: string;
  tag: 'clients' | 'users' | 'initial-access-tokens' | 'audit';
  query?: z.ZodObject;
  request?: {
    schema: z.ZodType;
    ref: string;
    example: unknown;
    required: boolean;
    mediaTypes?: string[];
  };
  /** Status → [description, response schema $ref or undefined]. */
  responses: Record<string, [string, string | undefined]>;
}

const ref = (name: string) => `#/components/schemas/${name}`;

const EXAMPLE_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  kid: 'signing-key-1',
  use: 'sig',
  alg: 'ES256',
};

export const ADMIN_OPERATIONS: readonly AdminOperation[] = [
  {
    operationId: 'listClients',
    method: 'get',
    path: '/clients',
    summary: 'List clients, ordered by client_id (never their secrets)',
    tag: 'clients',
    query: pageQuerySchema,
    responses: { 200: ['A page of clients', ref('ClientPage')] },
  },
  {
    operationId: 'createClient',
    method: 'post',
    path: '/clients',
    summary:
      'Register a client; its client_id and client_secret are generated, the secret shown only in this answer',
    tag: 'clients',
    request: {
      schema: clientInputSchema,
      ref: ref('ClientInput'),
      required: true,
      example: {
        client_name: 'Orders web app',
        redirect_uris: ['https://orders.example.com/callback'],
        post_logout_redirect_uris: ['https://orders.example.com/'],
        backchannel_logout_uri: 'https://orders.example.com/backchannel-logout',
        backchannel_logout_session_required: true,
        scope: 'openid profile email offline_access',
      },
    },
    responses: {
      201: ['The registered client, with its secret (shown once)', ref('CreatedClient')],
    },
  },
  {
    operationId: 'getClient',
    method: 'get',
    path: '/clients/{id}',
    summary: "A client's metadata (never its secret)",
    tag: 'clients',
    responses: { 200: ['The client', ref('Client')] },
  },
  {
    operationId: 'replaceClient',
    method: 'put',
    path: '/clients/{id}',
    summary:
      "Replace a client's metadata as a whole (left-out fields take their defaults); same rules as creation",
    tag: 'clients',
    request: {
      schema: clientInputSchema,
      ref: ref('ClientInput'),
      required: true,
      example: {
        client_name: 'Orders API',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [EXAMPLE_JWK] },
        resource_server: true,
      },
    },
    responses: {
      200: ['The client; `client_secret` only if this change gave it one', ref('CreatedClient')],
    },
  },
  {
    operationId: 'updateClient',
    method: 'patch',
    path: '/clients/{id}',
    summary:
      'Change some fields (RFC 7396 merge patch: null removes a field); the result is checked as a new client would be',
    tag: 'clients',
    request: {
      schema: clientPatchSchema,
      ref: ref('ClientPatch'),
      required: true,
      mediaTypes: ['application/merge-patch+json', 'application/json'],
      example: {
        redirect_uris: ['https://orders.example.com/callback', 'https://orders.example.com/cb2'],
        logo_uri: null,
      },
    },
    responses: {
      200: ['The client; `client_secret` only if this change gave it one', ref('CreatedClient')],
    },
  },
  {
    operationId: 'deleteClient',
    method: 'delete',
    path: '/clients/{id}',
    summary:
      'Delete a client with its tokens, grants and registration access token; it stops working at once',
    tag: 'clients',
    responses: { 204: ['Deleted', undefined] },
  },
  {
    operationId: 'rotateClientSecret',
    method: 'post',
    path: '/clients/{id}/rotate-secret',
    summary:
      'Give a client a new secret (shown only in this answer); the old one stops working at once',
    tag: 'clients',
    responses: {
      200: ['The client with its new secret', ref('CreatedClient')],
      409: ['The client uses no secret', ref('Error')],
    },
  },
  {
    operationId: 'listUsers',
    method: 'get',
    path: '/users',
    summary: 'List users, ordered by username (never password hashes)',
    tag: 'users',
    query: pageQuerySchema,
    responses: { 200: ['A page of users', ref('UserPage')] },
  },
  {
    operationId: 'createUser',
    method: 'post',
    path: '/users',
    summary: 'Create a user',
    tag: 'users',
    request: {
      schema: userCreateSchema,
      ref: ref('UserCreate'),
      required: true,
      example: {
        username: 'alice',
        password: 'correct horse battery staple',
        email: 'alice@example.com',
        email_verified: true,
        claims: { name: 'Alice Example', locale: 'en-GB' },
      },
    },
    responses: {
      201: ['The user', ref('User')],
      409: ['The username or email is taken', ref('Error')],
    },
  },
  {
    operationId: 'getUser',
    method: 'get',
    path: '/users/{id}',
    summary: 'A user, by id (the OIDC `sub`)',
    tag: 'users',
    responses: { 200: ['The user', ref('User')] },
  },
  {
    operationId: 'updateUser',
    method: 'patch',
    path: '/users/{id}',
    summary: "Update a user's profile claims (null removes one), email and email_verified",
    tag: 'users',
    request: {
      schema: userUpdateSchema,
      ref: ref('UserUpdate'),
      required: true,
      mediaTypes: ['application/merge-patch+json', 'application/json'],
      example: { claims: { given_name: 'Alice', nickname: null }, email_verified: true },
    },
    responses: { 200: ['The user', ref('User')] },
  },
  {
    operationId: 'disableUser',
    method: 'post',
    path: '/users/{id}/disable',
    summary: 'Disable a user: no sign-in, and their sessions, grants and tokens end at once',
    tag: 'users',
    responses: { 200: ['The user', ref('User')] },
  },
  {
    operationId: 'enableUser',
    method: 'post',
    path: '/users/{id}/enable',
    summary: 'Enable a disabled user',
    tag: 'users',
    responses: { 200: ['The user', ref('User')] },
  },
  {
    operationId: 'resetUserPassword',
    method: 'post',
    path: '/users/{id}/password',
    summary: "Set a user's password; their sessions and tokens end",
    tag: 'users',
    request: {
      schema: passwordResetSchema,
      ref: ref('PasswordReset'),
      required: true,
      example: { password: 'a new long passphrase' },
    },
    responses: { 200: ['The user (never the hash)', ref('User')] },
  },
  {
    operationId: 'listInitialAccessTokens',
    method: 'get',
    path: '/initial-access-tokens',
    summary: 'List unexpired initial access tokens (never the tokens themselves)',
    tag: 'initial-access-tokens',
    query: pageQuerySchema,
    responses: { 200: ['A page of initial access tokens', ref('InitialAccessTokenPage')] },
  },
  {
    operationId: 'createInitialAccessToken',
    method: 'post',
    path: '/initial-access-tokens',
    summary:
      'Create an initial access token for RFC 7591 registration at /reg (shown only in this answer)',
    tag: 'initial-access-tokens',
    request: {
      schema: initialAccessTokenInputSchema,
      ref: ref('InitialAccessTokenCreate'),
      required: false,
      example: { expires_in: 3600, max_uses: 1, description: 'CI pipeline for the orders service' },
    },
    responses: { 201: ['The token (shown once)', ref('CreatedInitialAccessToken')] },
  },
  {
    operationId: 'revokeInitialAccessToken',
    method: 'delete',
    path: '/initial-access-tokens/{id}',
    summary: 'Revoke an initial access token by its public id',
    tag: 'initial-access-tokens',
    responses: { 204: ['Revoked', undefined] },
  },
  {
    operationId: 'listAuditEvents',
    method: 'get',
    path: '/audit-events',
    summary: 'The audit log of admin changes, newest first',
    tag: 'audit',
    query: auditQuerySchema,
    responses: { 200: ['A page of audit events', ref('AuditEventPage')] },
  },
];

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

const str = { type: 'string' };
const strList = { type: 'array', items: str };
const nullable = (schema: Json) => ({ oneOf: [schema, { type: 'null' }] });

const CLIENT: Json = {
  type: 'object',
  required: [
    'client_id',
    'client_id_issued_at',
    'client_name',
    'application_type',
    'grant_types',
    'response_types',
    'redirect_uris',
    'token_endpoint_auth_method',
    'resource_server',
  ],
  properties: {
    client_id: str,
    client_id_issued_at: { type: 'integer', description: 'Epoch seconds.' },
    client_name: str,
    application_type: { enum: ['web', 'native'] },
    grant_types: strList,
    response_types: strList,
    redirect_uris: strList,
    post_logout_redirect_uris: strList,
    backchannel_logout_uri: {
      type: 'string',
      description:
        'Where a signed logout token is POSTed when a user of this client signs out (OIDC Back-Channel Logout 1.0 §2.2).',
    },
    backchannel_logout_session_required: {
      type: 'boolean',
      description: 'Every logout token carries the session id `sid` (present with the URI).',
    },
    token_endpoint_auth_method: {
      enum: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    },
    jwks: { type: 'object' },
    jwks_uri: str,
    scope: str,
    resource_server: {
      type: 'boolean',
      description: 'May call the introspection endpoint (RFC 7662).',
    },
    logo_uri: str,
    client_uri: str,
    policy_uri: str,
    tos_uri: str,
    contacts: strList,
    id_token_signed_response_alg: { enum: ['ES256', 'RS256', 'PS256', 'EdDSA'], description: 'Absent: the server default (`oidc.idTokenSigningAlg`, RS256).' },
    userinfo_signed_response_alg: { enum: ['ES256', 'RS256', 'PS256', 'EdDSA'], description: 'UserInfo answers as a signed JWT (absent: plain JSON).' },
    introspection_signed_response_alg: { enum: ['ES256', 'RS256', 'PS256', 'EdDSA'] },
    token_endpoint_auth_signing_alg: { enum: ['ES256', 'RS256', 'PS256', 'EdDSA'] },
    default_max_age: { type: 'integer', description: 'Seconds (OIDC Registration §2).' },
    require_auth_time: { type: 'boolean' },
    id_token_claims: { enum: ['scopes', 'userinfo'], description: 'Absent: the server default (`oidc.idTokenClaims`).' },
    client_secret_expires_at: {
      type: 'integer',
      description: '0: the secret does not expire (RFC 7591 §3.2.1).',
    },
  },
};

const USER: Json = {
  type: 'object',
  required: ['id', 'username', 'emailVerified', 'disabled', 'claims', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', description: 'The OIDC `sub`.' },
    username: str,
    email: str,
    emailVerified: { type: 'boolean' },
    disabled: { type: 'boolean' },
    claims: { type: 'object' },
    createdAt: { type: 'integer', description: 'Epoch milliseconds.' },
    updatedAt: { type: 'integer', description: 'Epoch milliseconds.' },
  },
};

const INITIAL_ACCESS_TOKEN: Json = {
  type: 'object',
  required: ['id', 'created_at', 'expires_at', 'max_uses', 'uses', 'description', 'created_by'],
  properties: {
    id: { type: 'string', description: 'Public id (not the token).' },
    created_at: { type: 'integer', description: 'Epoch seconds.' },
    expires_at: nullable({ type: 'integer', description: 'Epoch seconds.' }),
    max_uses: nullable({ type: 'integer' }),
    uses: { type: 'integer' },
    description: nullable(str),
    created_by: nullable(str),
  },
};

const AUDIT_EVENT: Json = {
  type: 'object',
  required: ['id', 'time', 'type', 'actor', 'details'],
  properties: {
    id: str,
    time: { type: 'string', format: 'date-time' },
    type: {
      type: 'string',
      examples: ['client.created', 'user.disabled', 'initial_access_token.created'],
    },
    actor: nullable({
      type: 'string',
      description: 'The admin client id, `cli`, or the registration token used.',
    }),
    client_id: nullable(str),
    subject: nullable(str),
    ip: nullable(str),
    user_agent: nullable(str),
    request_id: nullable(str),
    details: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
  },
};

const pageOf = (item: string): Json => ({
  type: 'object',
  required: ['items', 'next_cursor'],
  properties: {
    items: { type: 'array', items: { $ref: ref(item) } },
    next_cursor: nullable({
      type: 'string',
      description: 'Pass as `cursor` for the next page; null on the last page.',
    }),
  },
});

const ERROR: Json = {
  type: 'object',
  required: ['error', 'error_description', 'request_id'],
  properties: {
    error: {
      type: 'string',
      description:
        'Stable code: invalid_client_metadata / invalid_redirect_uri (RFC 7591 §3.2.2), invalid_input, invalid_request, invalid_body, authentication_required, invalid_token, insufficient_scope (RFC 6750 §3.1), not_found, method_not_allowed, username_taken, email_taken, no_client_secret, payload_too_large, json_required, store_unavailable, internal_error.',
    },
    error_description: { type: 'string', description: 'For field errors, `field: problem; ...`.' },
    details: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Each field at fault and what is wrong with it.',
    },
    request_id: str,
  },
};

const ERROR_RESPONSES: Record<string, string> = {
  400: 'The input is not valid (details name each field)',
  401: 'No token (`authentication_required`), or an unknown, expired or revoked one (`invalid_token`)',
  403: `The token does not carry the \`${ADMIN_SCOPE}\` scope, or its client no longer holds it (\`insufficient_scope\`)`,
  404: 'No such object',
  413: 'The body is larger than 64 KiB',
  415: 'The body is not JSON',
};

function queryParameters(schema: z.ZodObject): Json[] {
  const properties = (jsonSchema(schema).properties ?? {}) as Record<string, Json>;
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: false,
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

/** The document itself (OpenAPI 3.1.1), built once per app. */
export function buildOpenApiDocument(options: { serverUrl: string; version: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of ADMIN_OPERATIONS) {
    const responses: Record<string, Json> = {};
    for (const [status, [description, schemaRef]] of Object.entries(op.responses)) {
      responses[status] = {
        description,
        ...(schemaRef === undefined
          ? {}
          : { content: { 'application/json': { schema: { $ref: schemaRef } } } }),
      };
    }
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      const aboutBodies = status === '413' || status === '415';
      if (responses[status] === undefined && (!aboutBodies || op.request !== undefined)) {
        responses[status] = {
          description,
          content: { 'application/json': { schema: { $ref: ref('Error') } } },
        };
      }
    }
    const parameters: Json[] = [
      ...(op.path.includes('{id}')
        ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]
        : []),
      ...(op.query ? queryParameters(op.query) : []),
    ];
    const request = op.request;
    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: [op.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(request
        ? {
            requestBody: {
              required: request.required,
              content: Object.fromEntries(
                (request.mediaTypes ?? ['application/json']).map((type) => [
                  type,
                  { schema: { $ref: request.ref }, example: request.example },
                ]),
              ),
            },
          }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.1',
    info: {
      title: 'Portcullis admin API',
      version: options.version,
      description:
        'Manage clients, users, initial access tokens and read the audit log. Authenticate with an access token this server issued with the client credentials grant to a client holding the `admin` scope. See docs/admin-api.md.',
    },
    servers: [{ url: options.serverUrl }],
    security: [{ adminToken: [ADMIN_SCOPE] }],
    tags: [
      { name: 'clients', description: 'Relying parties and APIs (RFC 7591 metadata)' },
      { name: 'users', description: 'People who sign in' },
      {
        name: 'initial-access-tokens',
        description: 'Tokens that open RFC 7591 dynamic registration',
      },
      { name: 'audit', description: 'Who changed what, when and from where' },
    ],
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'oauth2',
          description:
            'Client credentials grant at the token endpoint, for a client registered with `scope: admin`.',
          flows: {
            clientCredentials: {
              tokenUrl: '/token',
              scopes: { [ADMIN_SCOPE]: 'Full access to the admin API' },
            },
          },
        },
      },
      schemas: {
        ClientInput: jsonSchema(clientInputSchema),
        ClientPatch: jsonSchema(clientPatchSchema),
        Client: CLIENT,
        CreatedClient: {
          allOf: [{ $ref: ref('Client') }, { type: 'object', properties: { client_secret: str } }],
        },
        ClientPage: pageOf('Client'),
        UserCreate: jsonSchema(userCreateSchema),
        UserUpdate: jsonSchema(userUpdateSchema),
        PasswordReset: jsonSchema(passwordResetSchema),
        User: USER,
        UserPage: pageOf('User'),
        InitialAccessTokenCreate: jsonSchema(initialAccessTokenInputSchema),
        InitialAccessToken: INITIAL_ACCESS_TOKEN,
        CreatedInitialAccessToken: {
          allOf: [
            { $ref: ref('InitialAccessToken') },
            {
              type: 'object',
              required: ['initial_access_token'],
              properties: { initial_access_token: str },
            },
          ],
        },
        InitialAccessTokenPage: pageOf('InitialAccessToken'),
        AuditEvent: AUDIT_EVENT,
        AuditEventPage: pageOf('AuditEvent'),
        Error: ERROR,
      },
    },
  };
}
