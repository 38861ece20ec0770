import { z } from 'zod';
import {
  sessionsEndedSchema,
  clientsReencryptedSchema,
  userGrantListSchema,
  userGrantSchema,
  userSessionListSchema,
  userSessionSchema,
} from './admin-response-schemas.ts';
import { grantRevokeSchema, linkRequestSchema } from './user-lifecycle-admin.ts';
import { clientInputSchema } from '../clients/client-input-schema.ts';
import { initialAccessTokenInputSchema } from '../clients/initial-access-tokens.ts';
import { ERROR_CODES, type ErrorCode } from '../errors/error-codes.ts';
import { ADMIN_SCOPE } from '../oidc/scopes.ts';
import {
  attributeDefineSchema,
  attributeValuesSchema,
  groupCreateSchema,
  groupUpdateSchema,
  memberSchema,
  roleCreateSchema,
  roleRefSchema,
  roleUpdateSchema,
} from '../rbac/access-control-schemas.ts';
import {
  auditEventPageSchema,
  auditEventSchema,
  clientPageSchema,
  clientSchema,
  createdClientSchema,
  createdInitialAccessTokenSchema,
  errorSchema,
  initialAccessTokenPageSchema,
  initialAccessTokenSchema,
  userPageSchema,
  userSchema,
  attributeListSchema,
  attributeSchema,
  groupPageSchema,
  groupSchema,
  keyPruneSchema,
  keyRotationSchema,
  rolePageSchema,
  roleSchema,
  signingKeyListSchema,
  signingKeySchema,
  userAccessSchema,
} from './admin-response-schemas.ts';
import { ADMIN_ROUTES, errorCodesOf, type AdminRoute } from './admin-routes.ts';
import {
  clientPatchSchema,
  passwordResetSchema,
  userCreateSchema,
  userUpdateSchema,
} from './admin-schemas.ts';
import { userFactorsResetSchema, userFactorsSchema } from './mfa-response-schemas.ts';
import {
  createdWebhookSchema,
  webhookCreateSchema,
  webhookPageSchema,
  webhookPatchSchema,
  webhookSchema,
} from '../webhooks/webhook-schemas.ts';
import { deliveryPageSchema, deliverySchema } from '../outbox/delivery-schemas.ts';
import { importReportSchema, importRequestSchema } from '../import/user-import-service.ts';
import { apiPageSchema, apiPatchSchema, apiSchema } from './parity-response-schemas.ts';
import { resourceServerInputSchema } from '../resources/resource-server-input.ts';

/**
 * The OpenAPI 3.1 description of the admin API, served at /admin/v1/openapi.json, built from the
 * route table the router is built from (admin-routes.ts). Request and response schemas are
 * generated from the zod schemas the API validates with and a test parses real answers with
 * (`z.toJSONSchema`), so they cannot drift; error answers list the catalogue codes each
 * operation can answer (src/errors/error-codes.ts).
 */

type Json = Record<string, unknown>;

const ref = (name: string) => `#/components/schemas/${name}`;

/** Paths that no route has, answered by the admin app itself (404 and 405 of the error handler). */
const APP_ERRORS: readonly ErrorCode[] = ['not_found', 'method_not_allowed'];

/** Every code the admin API answers: what the routes list, and the app's own. */
export function adminErrorCodes(routes: readonly AdminRoute[] = ADMIN_ROUTES): ErrorCode[] {
  const codes = new Set<ErrorCode>(routes.flatMap(errorCodesOf));
  for (const code of APP_ERRORS) codes.add(code);
  // In catalogue order, so the document does not change with the order of the table.
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => codes.has(code));
}

/** Request bodies (`io: 'input'`: what a caller may send) under their component names. */
const REQUEST_COMPONENTS: Record<string, z.ZodType> = {
  ClientInput: clientInputSchema,
  ClientPatch: clientPatchSchema,
  UserCreate: userCreateSchema,
  UserUpdate: userUpdateSchema,
  PasswordReset: passwordResetSchema,
  InitialAccessTokenCreate: initialAccessTokenInputSchema,
  RoleCreate: roleCreateSchema,
  RoleUpdate: roleUpdateSchema,
  GroupCreate: groupCreateSchema,
  GroupUpdate: groupUpdateSchema,
  GroupMember: memberSchema,
  RoleReference: roleRefSchema,
  AttributeDefine: attributeDefineSchema,
  AttributeValues: attributeValuesSchema,
  GrantRevoke: grantRevokeSchema,
  LinkRequest: linkRequestSchema,
  WebhookCreate: webhookCreateSchema,
  WebhookPatch: webhookPatchSchema,
  UserImport: importRequestSchema,
  ApiInput: resourceServerInputSchema,
  ApiPatch: apiPatchSchema,
};

/** Answers (`io: 'output'`: what the server sends) under their component names. A page's items
 *  and the error answers of each operation refer to them. */
const RESPONSE_COMPONENTS: Record<string, z.ZodType> = {
  Client: clientSchema,
  CreatedClient: createdClientSchema,
  ClientPage: clientPageSchema,
  ClientsReencrypted: clientsReencryptedSchema,
  User: userSchema,
  UserPage: userPageSchema,
  InitialAccessToken: initialAccessTokenSchema,
  CreatedInitialAccessToken: createdInitialAccessTokenSchema,
  InitialAccessTokenPage: initialAccessTokenPageSchema,
  AuditEvent: auditEventSchema,
  AuditEventPage: auditEventPageSchema,
  Role: roleSchema,
  RolePage: rolePageSchema,
  Group: groupSchema,
  GroupPage: groupPageSchema,
  UserAccess: userAccessSchema,
  Attribute: attributeSchema,
  AttributeList: attributeListSchema,
  SigningKey: signingKeySchema,
  SigningKeyList: signingKeyListSchema,
  KeyRotation: keyRotationSchema,
  KeyPrune: keyPruneSchema,
  UserFactors: userFactorsSchema,
  UserFactorsReset: userFactorsResetSchema,
  UserSession: userSessionSchema,
  UserSessionList: userSessionListSchema,
  UserGrant: userGrantSchema,
  UserGrantList: userGrantListSchema,
  SessionsEnded: sessionsEndedSchema,
  Webhook: webhookSchema,
  CreatedWebhook: createdWebhookSchema,
  WebhookPage: webhookPageSchema,
  Delivery: deliverySchema,
  DeliveryPage: deliveryPageSchema,
  ImportReport: importReportSchema,
  Api: apiSchema,
  ApiPage: apiPageSchema,
};

function componentName(components: Record<string, z.ZodType>, schema: z.ZodType): string {
  const name = Object.entries(components).find(([, s]) => s === schema)?.[0];
  // A row naming a schema the document does not carry is a programming error, found by the tests.
  if (name === undefined) throw new Error('admin route schema without a component name');
  return name;
}

function withoutSchemaKeywords(schema: Json): Json {
  const { $schema: _s, $id: _id, id: _name, ...rest } = schema;
  return rest;
}

function jsonSchema(schema: z.ZodType): Json {
  return withoutSchemaKeywords(
    z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json,
  );
}

/** The response components, one registry so that pages refer to their items by `$ref`. */
function responseSchemas(errorCodes: readonly ErrorCode[]): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(RESPONSE_COMPONENTS)) registry.add(schema, { id });
  registry.add(errorSchema(errorCodes), { id: 'Error' });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: ref,
    // `z.number().int()` says "a safe integer" with both bounds; every integer we send is one.
    override({ jsonSchema }) {
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => [id, withoutSchemaKeywords(schema)]),
  );
}

/** The general meaning of each error status; an operation may say more (`errorDescriptions`). */
const ERROR_STATUS_DESCRIPTIONS: Record<number, string> = {
  400: 'The input is not valid (details name each field)',
  401: 'No token (`authentication_required`), or an unknown, expired or revoked one (`invalid_token`)',
  403: `The token does not carry the operation's scope (see \`security\`) or \`${ADMIN_SCOPE}\`, or its client no longer holds it (\`insufficient_scope\`)`,
  404: 'No such object',
  413: 'The body is larger than 64 KiB',
  415: 'The body is not JSON',
  500: 'Something went wrong on the server (logged with the request id)',
  503: 'The store is unavailable for a moment (`Retry-After`)',
};

/** The error statuses of an operation, each with the codes it can carry there. */
export function errorResponsesOf(op: AdminRoute): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(op)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

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
  for (const op of ADMIN_ROUTES) {
    const responses: Record<string, Json> = {};
    for (const [status, response] of Object.entries(op.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema === undefined
          ? {}
          : {
              content: {
                'application/json': {
                  schema: { $ref: ref(componentName(RESPONSE_COMPONENTS, response.schema)) },
                },
              },
            }),
      };
    }
    for (const [status, codes] of errorResponsesOf(op)) {
      const description =
        op.errorDescriptions?.[status] ??
        ERROR_STATUS_DESCRIPTIONS[status] ??
        codes.map((code) => ERROR_CODES[code].message).join(' ');
      responses[String(status)] = {
        description,
        content: {
          'application/json': {
            // The error shape, with the codes this operation answers with this status.
            schema: {
              allOf: [
                { $ref: ref('Error') },
                { type: 'object', properties: { error: { enum: codes } } },
              ],
            },
          },
        },
      };
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
      // Issue 16: the scope this operation needs, or `admin` (which holds every admin scope).
      security: [{ adminToken: [op.scope] }, { adminToken: [ADMIN_SCOPE] }],
      'x-required-scope': op.scope,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(request
        ? {
            requestBody: {
              required: request.required,
              content: Object.fromEntries(
                (request.mediaTypes ?? ['application/json']).map((type) => [
                  type,
                  {
                    schema: { $ref: ref(componentName(REQUEST_COMPONENTS, request.schema)) },
                    example: request.example,
                  },
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
      { name: 'roles', description: 'Roles tokens carry in `roles` (issue 16)' },
      { name: 'groups', description: 'Groups of users (and groups) holding roles' },
      { name: 'attributes', description: 'Typed custom account attributes' },
      { name: 'keys', description: 'Signing keys and their rotation' },
      { name: 'webhooks', description: 'Endpoints that receive signed event messages' },
      { name: 'apis', description: 'APIs (resource servers, RFC 8707) clients get tokens for' },
      { name: 'security-events', description: 'Sign-ins, lockouts, logouts, deliveries, changes' },
      {
        name: 'deliveries',
        description: 'The outbox: logout tokens and webhook messages waiting or given up',
      },
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
              scopes: {
                [ADMIN_SCOPE]: 'Full access to the admin API (every scope below)',
                'admin:read': 'Read clients, users, roles, groups, keys and the audit log',
                'admin:clients': 'Change clients and initial access tokens',
                'admin:users': 'Change users, their roles, groups and attributes',
                'admin:keys': 'Rotate and prune signing keys',
              },
            },
          },
        },
      },
      schemas: {
        ...Object.fromEntries(
          Object.entries(REQUEST_COMPONENTS).map(([name, schema]) => [name, jsonSchema(schema)]),
        ),
        ...responseSchemas(adminErrorCodes()),
      },
    },
  };
}
