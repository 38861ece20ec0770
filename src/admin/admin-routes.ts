import type { z } from 'zod';
import { clientInputSchema } from '../clients/client-input-schema.ts';
import { initialAccessTokenInputSchema } from '../clients/initial-access-tokens.ts';
import type { ErrorCode } from '../errors/error-codes.ts';
import type { AdminSubScope } from '../oidc/scopes.ts';
import type { SecurityEvent } from '../storage/ports.ts';
import {
  auditEventPageSchema,
  clientPageSchema,
  clientSchema,
  clientsReencryptedSchema,
  createdClientSchema,
  createdInitialAccessTokenSchema,
  initialAccessTokenPageSchema,
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
  userAccessSchema,
  sessionsEndedSchema,
  userGrantListSchema,
  userSessionListSchema,
} from './admin-response-schemas.ts';
import { grantRevokeSchema, linkRequestSchema } from './user-lifecycle-admin.ts';
import { AppError } from '../errors/app-error.ts';
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
import { parseRoleReference } from '../rbac/access-control-service.ts';
import {
  auditQuerySchema,
  clampLimit,
  clientPatchSchema,
  pageQuerySchema,
  passwordResetSchema,
  userCreateSchema,
  userUpdateSchema,
} from './admin-schemas.ts';
import type { AdminServices } from './admin-services.ts';
import { userFactorsResetSchema, userFactorsSchema } from './mfa-response-schemas.ts';
import type { Actor } from './audit-log.ts';
import {
  createdWebhookSchema,
  webhookCreateSchema,
  webhookPageSchema,
  webhookPatchSchema,
  webhookSchema,
} from '../webhooks/webhook-schemas.ts';
import {
  deliveryPageSchema,
  deliveryQuerySchema,
  deliverySchema,
} from '../outbox/delivery-schemas.ts';
import { importReportSchema, importRequestSchema } from '../import/user-import-service.ts';
import { apiPageSchema, apiPatchSchema, apiSchema } from './parity-response-schemas.ts';
import { resourceServerInputSchema } from '../resources/resource-server-input.ts';

/**
 * The admin API's one route table (mounted at /admin/v1). The router (admin-router.ts) and the
 * OpenAPI document (openapi-document.ts) are both built from it, so a route cannot be served
 * undescribed or described unserved, and its response schemas are the ones a test parses real
 * answers with. Each row reads its typed input and calls one admin operation, which validates,
 * writes and records the audit entry.
 */

export type AdminMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type AdminTag =
  | 'clients'
  | 'users'
  | 'initial-access-tokens'
  | 'audit'
  | 'roles'
  | 'groups'
  | 'attributes'
  | 'keys'
  | 'webhooks'
  | 'deliveries'
  | 'apis'
  | 'security-events';
export type SuccessStatus = 200 | 201 | 204;

/** What a handler is given: the `{id}` of the path (`''` when it has none), the parsed query,
 *  the JSON body as read (`undefined` without one; the services validate it) and who asks. */
export interface AdminRouteInput<Q> {
  id: string;
  query: Q;
  body: unknown;
  actor: Actor;
}

/** What a handler answers; `location` (relative to /admin/v1) becomes the `Location` header. */
export interface AdminReply<S extends SuccessStatus = SuccessStatus> {
  status: S;
  body?: unknown;
  location?: string;
}

export interface AdminRoute {
  operationId: string;
  method: AdminMethod;
  /** OpenAPI path template, relative to /admin/v1 (the router's `:id` is derived from it). */
  path: string;
  summary: string;
  tag: AdminTag;
  /**
   * The admin scope the operation needs (issue 16; `admin` holds them all): the router refuses a
   * token without it (403 `insufficient_scope`) and the OpenAPI document names it.
   */
  scope: AdminSubScope;
  query?: z.ZodObject | undefined;
  request?:
    | {
        schema: z.ZodType;
        example: unknown;
        required: boolean;
        mediaTypes?: readonly string[];
      }
    | undefined;
  /** Success status → its description and body schema (none for 204). */
  responses: Partial<Record<SuccessStatus, { description: string; schema?: z.ZodType }>>;
  /** Codes of the error catalogue this operation answers besides those every route can
   *  (see `errorCodesOf`). */
  errors: readonly ErrorCode[];
  /** A description of an error status for this operation, instead of the general one. */
  errorDescriptions?: Partial<Record<number, string>>;
  handle(services: AdminServices, input: AdminRouteInput<unknown>): Promise<AdminReply>;
}

/**
 * One row, with its handler typed by the row's own query schema and statuses (the table holds
 * them erased: the router passes the query that schema parsed).
 */
function route<Q extends z.ZodObject | undefined, S extends SuccessStatus>(
  row: Omit<AdminRoute, 'query' | 'responses' | 'handle'> & {
    query?: Q;
    responses: Record<S, { description: string; schema?: z.ZodType }>;
    handle(
      services: AdminServices,
      input: AdminRouteInput<Q extends z.ZodObject ? z.output<Q> : undefined>,
    ): Promise<AdminReply<S>>;
  },
): AdminRoute {
  return row as unknown as AdminRoute;
}

/** Every route can answer these: RFC 6750 §3.1 bearer-token refusals, and server failures. */
export const AUTH_ERRORS: readonly ErrorCode[] = [
  'authentication_required',
  'invalid_token',
  'insufficient_scope',
];
/** Methods with a body: the body parser (read-json-body.ts) refuses what is not small JSON. */
export const BODY_ERRORS: readonly ErrorCode[] = [
  'invalid_body',
  'payload_too_large',
  'json_required',
];
export const SERVER_ERRORS: readonly ErrorCode[] = ['store_unavailable', 'internal_error'];
const WITH_BODY: ReadonlySet<AdminMethod> = new Set(['post', 'put', 'patch']);

/** All codes an operation can answer, in the catalogue's terms. */
export function errorCodesOf(op: AdminRoute): ErrorCode[] {
  return [
    ...new Set([
      ...AUTH_ERRORS,
      ...(WITH_BODY.has(op.method) ? BODY_ERRORS : []),
      ...op.errors,
      ...SERVER_ERRORS,
    ]),
  ];
}

/** The router's path for an OpenAPI template: `/clients/{id}` → `/clients/:id`. */
export function koaPath(template: string): string {
  return template.replace(/\{([A-Za-z_]+)\}/g, ':$1');
}

const page = <T>(result: { items: T[]; nextCursor: string | undefined }) => ({
  items: result.items,
  next_cursor: result.nextCursor ?? null,
});

/** Audit events as the API shows them: ISO 8601 times, snake_case names. */
function eventView(event: SecurityEvent) {
  return {
    id: event.id,
    time: new Date(event.time).toISOString(),
    type: event.type,
    actor: event.actor ?? null,
    client_id: event.clientId ?? null,
    subject: event.subject ?? null,
    ip: event.ip ?? null,
    user_agent: event.userAgent ?? null,
    request_id: event.requestId ?? null,
    details: event.details ?? {},
  };
}

const EXAMPLE_JWK = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  kid: 'signing-key-1',
  use: 'sig',
  alg: 'ES256',
};

const MERGE_PATCH = ['application/merge-patch+json', 'application/json'] as const;
const CLIENT_INPUT_ERRORS: readonly ErrorCode[] = [
  'invalid_client_metadata',
  'invalid_redirect_uri',
];

/** The account lifecycle's admin operations; a server built without them answers 404. */
function lifecycleOf(s: AdminServices): NonNullable<AdminServices['userLifecycle']> {
  if (!s.userLifecycle) throw new AppError('not_found');
  return s.userLifecycle;
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  // Clients (RFC 7591 metadata; errors in RFC 7591 §3.2.2 shape).
  route({
    operationId: 'listClients',
    method: 'get',
    path: '/clients',
    summary: 'List clients, ordered by client_id (never their secrets)',
    tag: 'clients',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of clients', schema: clientPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.clients.list({ cursor: query.cursor, limit: clampLimit(query.limit) });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createClient',
    method: 'post',
    path: '/clients',
    summary:
      'Register a client; its client_id and client_secret are generated, the secret shown only in this answer',
    tag: 'clients',
    scope: 'admin:clients',
    request: {
      schema: clientInputSchema,
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
      201: {
        description: 'The registered client, with its secret (shown once)',
        schema: createdClientSchema,
      },
    },
    errors: CLIENT_INPUT_ERRORS,
    async handle(s, { body, actor }) {
      const client = await s.clients.create(body, actor);
      return { status: 201, location: `/clients/${client.client_id}`, body: client };
    },
  }),
  route({
    operationId: 'getClient',
    method: 'get',
    path: '/clients/{id}',
    summary: "A client's metadata (never its secret)",
    tag: 'clients',
    scope: 'admin:read',
    responses: { 200: { description: 'The client', schema: clientSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.clients.get(id) };
    },
  }),
  route({
    operationId: 'replaceClient',
    method: 'put',
    path: '/clients/{id}',
    summary:
      "Replace a client's metadata as a whole (left-out fields take their defaults); same rules as creation",
    tag: 'clients',
    scope: 'admin:clients',
    request: {
      schema: clientInputSchema,
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
      200: {
        description: 'The client; `client_secret` only if this change gave it one',
        schema: createdClientSchema,
      },
    },
    errors: [...CLIENT_INPUT_ERRORS, 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.clients.replace(id, body, actor) };
    },
  }),
  route({
    operationId: 'updateClient',
    method: 'patch',
    path: '/clients/{id}',
    summary:
      'Change some fields (RFC 7396 merge patch: null removes a field); the result is checked as a new client would be',
    tag: 'clients',
    scope: 'admin:clients',
    request: {
      schema: clientPatchSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: {
        redirect_uris: ['https://orders.example.com/callback', 'https://orders.example.com/cb2'],
        logo_uri: null,
      },
    },
    responses: {
      200: {
        description: 'The client; `client_secret` only if this change gave it one',
        schema: createdClientSchema,
      },
    },
    errors: [...CLIENT_INPUT_ERRORS, 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.clients.update(id, body ?? {}, actor) };
    },
  }),
  route({
    operationId: 'deleteClient',
    method: 'delete',
    path: '/clients/{id}',
    summary:
      'Delete a client with its tokens, grants and registration access token; it stops working at once',
    tag: 'clients',
    scope: 'admin:clients',
    responses: { 204: { description: 'Deleted' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.clients.remove(id, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'rotateClientSecret',
    method: 'post',
    path: '/clients/{id}/rotate-secret',
    summary:
      'Give a client a new secret (shown only in this answer); the old one stops working at once',
    tag: 'clients',
    scope: 'admin:clients',
    responses: {
      200: { description: 'The client with its new secret', schema: createdClientSchema },
    },
    errors: ['not_found', 'no_client_secret'],
    errorDescriptions: { 409: 'The client uses no secret' },
    async handle(s, { id, actor }) {
      return { status: 200, body: await s.clients.rotateSecret(id, actor) };
    },
  }),

  route({
    operationId: 'reencryptClientSecrets',
    method: 'post',
    path: '/clients/reencrypt',
    summary:
      'Re-encrypt every stored client secret with the newest key of secrets.clientSecretKeys (after prepending a new key; then the old ones can go)',
    tag: 'clients',
    scope: 'admin:clients',
    responses: {
      200: { description: 'How many secrets were re-encrypted', schema: clientsReencryptedSchema },
    },
    errors: [],
    async handle(s, { actor }) {
      return { status: 200, body: await s.clients.reencrypt(actor) };
    },
  }),

  // Users (never a password hash).
  route({
    operationId: 'listUsers',
    method: 'get',
    path: '/users',
    summary: 'List users, ordered by username (never password hashes)',
    tag: 'users',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of users', schema: userPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.users.list({ cursor: query.cursor, limit: clampLimit(query.limit) });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createUser',
    method: 'post',
    path: '/users',
    summary: 'Create a user',
    tag: 'users',
    scope: 'admin:users',
    request: {
      schema: userCreateSchema,
      required: true,
      example: {
        username: 'alice',
        password: 'correct horse battery staple',
        email: 'alice@example.com',
        email_verified: true,
        claims: { name: 'Alice Example', locale: 'en-GB' },
      },
    },
    responses: { 201: { description: 'The user', schema: userSchema } },
    errors: ['invalid_input', 'username_taken', 'email_taken'],
    errorDescriptions: { 409: 'The username or email is taken' },
    async handle(s, { body, actor }) {
      const user = await s.users.create(body, actor);
      return { status: 201, location: `/users/${user.id}`, body: user };
    },
  }),
  route({
    operationId: 'getUser',
    method: 'get',
    path: '/users/{id}',
    summary: 'A user, by id (the OIDC `sub`)',
    tag: 'users',
    scope: 'admin:read',
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.users.get(id) };
    },
  }),
  route({
    operationId: 'updateUser',
    method: 'patch',
    path: '/users/{id}',
    summary: "Update a user's profile claims (null removes one), email and email_verified",
    tag: 'users',
    scope: 'admin:users',
    request: {
      schema: userUpdateSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: { claims: { given_name: 'Alice', nickname: null }, email_verified: true },
    },
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: ['invalid_input', 'not_found', 'email_taken'],
    errorDescriptions: { 409: 'The email is taken' },
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.users.update(id, body, actor) };
    },
  }),
  route({
    operationId: 'disableUser',
    method: 'post',
    path: '/users/{id}/disable',
    summary: 'Disable a user: no sign-in, and their sessions, grants and tokens end at once',
    tag: 'users',
    scope: 'admin:users',
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      return { status: 200, body: await s.users.setDisabled(id, true, actor) };
    },
  }),
  route({
    operationId: 'enableUser',
    method: 'post',
    path: '/users/{id}/enable',
    summary: 'Enable a disabled user',
    tag: 'users',
    scope: 'admin:users',
    responses: { 200: { description: 'The user', schema: userSchema } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      return { status: 200, body: await s.users.setDisabled(id, false, actor) };
    },
  }),
  route({
    operationId: 'resetUserPassword',
    method: 'post',
    path: '/users/{id}/password',
    summary: "Set a user's password; their sessions and tokens end",
    tag: 'users',
    scope: 'admin:users',
    request: {
      schema: passwordResetSchema,
      required: true,
      example: { password: 'a new long passphrase' },
    },
    responses: { 200: { description: 'The user (never the hash)', schema: userSchema } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.users.resetPassword(id, body, actor) };
    },
  }),
  route({
    operationId: 'listUserFactors',
    method: 'get',
    path: '/users/{id}/mfa',
    summary: "A user's second factors and passkeys (never a secret, code or key)",
    tag: 'users',
    scope: 'admin:read',
    responses: { 200: { description: 'The factors', schema: userFactorsSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.userFactors.list(id) };
    },
  }),
  route({
    operationId: 'resetUserFactors',
    method: 'post',
    path: '/users/{id}/mfa/reset',
    summary:
      'Remove every second factor and passkey of a user (they lost them all; docs/mfa.md); audited',
    tag: 'users',
    scope: 'admin:users',
    responses: { 200: { description: 'How many were removed', schema: userFactorsResetSchema } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      return { status: 200, body: await s.userFactors.reset(id, actor) };
    },
  }),

  // The account lifecycle (issue 15 item 6): sessions, grants, deletion, links by email.
  route({
    operationId: 'listUserSessions',
    method: 'get',
    path: '/users/{id}/sessions',
    summary: "List a user's sessions: device, address, sign-in and last use, apps",
    tag: 'users',
    scope: 'admin:read',
    responses: { 200: { description: 'The sessions', schema: userSessionListSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await lifecycleOf(s).sessions(id) };
    },
  }),
  route({
    operationId: 'endUserSessions',
    method: 'delete',
    path: '/users/{id}/sessions',
    summary: 'Sign a user out everywhere; their apps get back-channel logout',
    tag: 'users',
    scope: 'admin:users',
    responses: { 200: { description: 'How many sessions ended', schema: sessionsEndedSchema } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      return { status: 200, body: await lifecycleOf(s).endSessions(id, actor) };
    },
  }),
  route({
    operationId: 'listUserGrants',
    method: 'get',
    path: '/users/{id}/grants',
    summary: 'List the apps a user granted access to, with scopes and date',
    tag: 'users',
    scope: 'admin:read',
    responses: { 200: { description: 'The grants', schema: userGrantListSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await lifecycleOf(s).grants(id) };
    },
  }),
  route({
    operationId: 'revokeUserGrant',
    method: 'post',
    path: '/users/{id}/grants/revoke',
    summary: "Revoke one of a user's grants and every token issued under it",
    tag: 'users',
    scope: 'admin:users',
    request: { schema: grantRevokeSchema, required: true, example: { grant_id: 'aBc123' } },
    responses: { 204: { description: 'Revoked' } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      await lifecycleOf(s).revokeGrant(id, body, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'deleteUser',
    method: 'delete',
    path: '/users/{id}',
    summary:
      'Delete a user: sessions, grants, tokens and links removed, apps told, events pseudonymised',
    tag: 'users',
    scope: 'admin:users',
    responses: { 204: { description: 'Deleted' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await lifecycleOf(s).deleteUser(id, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'sendUserVerification',
    method: 'post',
    path: '/users/{id}/verification',
    summary: 'Email the user a link to confirm their address',
    tag: 'users',
    scope: 'admin:users',
    request: { schema: linkRequestSchema, required: false, example: { lang: 'en' } },
    responses: { 204: { description: 'Queued for delivery' } },
    errors: ['invalid_input', 'not_found', 'too_many_attempts'],
    async handle(s, { id, body, actor }) {
      await lifecycleOf(s).sendVerification(id, body, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'sendUserResetLink',
    method: 'post',
    path: '/users/{id}/reset-link',
    summary: 'Email the user a password-reset link (the admin never sees it)',
    tag: 'users',
    scope: 'admin:users',
    request: { schema: linkRequestSchema, required: false, example: { lang: 'en' } },
    responses: { 204: { description: 'Queued for delivery' } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      await lifecycleOf(s).sendResetLink(id, body, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'sendUserInvitation',
    method: 'post',
    path: '/users/{id}/invitation',
    summary: 'Email a new user an invitation link to choose their own password',
    tag: 'users',
    scope: 'admin:users',
    request: { schema: linkRequestSchema, required: false, example: { lang: 'de' } },
    responses: { 204: { description: 'Queued for delivery' } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      await lifecycleOf(s).sendInvitation(id, body, actor);
      return { status: 204 };
    },
  }),

  // Initial access tokens for RFC 7591 registration (the token is shown once).
  route({
    operationId: 'listInitialAccessTokens',
    method: 'get',
    path: '/initial-access-tokens',
    summary: 'List unexpired initial access tokens (never the tokens themselves)',
    tag: 'initial-access-tokens',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of initial access tokens', schema: initialAccessTokenPageSchema },
    },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.initialAccessTokens.list({
        cursor: query.cursor,
        limit: clampLimit(query.limit),
      });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createInitialAccessToken',
    method: 'post',
    path: '/initial-access-tokens',
    summary:
      'Create an initial access token for RFC 7591 registration at /reg (shown only in this answer)',
    tag: 'initial-access-tokens',
    scope: 'admin:clients',
    request: {
      schema: initialAccessTokenInputSchema,
      required: false,
      example: { expires_in: 3600, max_uses: 1, description: 'CI pipeline for the orders service' },
    },
    responses: {
      201: { description: 'The token (shown once)', schema: createdInitialAccessTokenSchema },
    },
    errors: ['invalid_input'],
    async handle(s, { body, actor }) {
      const token = await s.initialAccessTokens.create(body ?? {}, actor);
      return { status: 201, location: `/initial-access-tokens/${token.id}`, body: token };
    },
  }),
  route({
    operationId: 'revokeInitialAccessToken',
    method: 'delete',
    path: '/initial-access-tokens/{id}',
    summary: 'Revoke an initial access token by its public id',
    tag: 'initial-access-tokens',
    scope: 'admin:clients',
    responses: { 204: { description: 'Revoked' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.initialAccessTokens.revoke(id, actor);
      return { status: 204 };
    },
  }),

  // The audit log, newest first.
  route({
    operationId: 'listAuditEvents',
    method: 'get',
    path: '/audit-events',
    summary: 'The audit log of admin changes, newest first',
    tag: 'audit',
    scope: 'admin:read',
    query: auditQuerySchema,
    responses: { 200: { description: 'A page of audit events', schema: auditEventPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.audit.list(
        {
          type: query.type,
          typePrefix: query.type_prefix,
          clientId: query.client_id,
          subject: query.subject,
          since: query.since,
          until: query.until,
        },
        { cursor: query.cursor, limit: clampLimit(query.limit) },
      );
      return {
        status: 200,
        body: { items: result.items.map(eventView), next_cursor: result.nextCursor ?? null },
      };
    },
  }),

  // Roles, groups and custom attributes (issue 16). Reads need `admin:read`, changes
  // `admin:users` (they decide what users may do).
  route({
    operationId: 'listRoles',
    method: 'get',
    path: '/roles',
    summary: 'List roles, ordered by name',
    tag: 'roles',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of roles', schema: rolePageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.access.roles.list({
        cursor: query.cursor,
        limit: clampLimit(query.limit),
      });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createRole',
    method: 'post',
    path: '/roles',
    summary: 'Create a role (its name is what tokens carry in `roles`)',
    tag: 'roles',
    scope: 'admin:users',
    request: {
      schema: roleCreateSchema,
      required: true,
      example: { name: 'orders-reader', description: 'May read orders' },
    },
    responses: { 201: { description: 'The role', schema: roleSchema } },
    errors: ['invalid_input', 'role_exists'],
    async handle(s, { body, actor }) {
      const role = await s.access.roles.create(body, actor);
      return { status: 201, location: `/roles/${role.name}`, body: role };
    },
  }),
  route({
    operationId: 'getRole',
    method: 'get',
    path: '/roles/{id}',
    summary: 'A role, by name',
    tag: 'roles',
    scope: 'admin:read',
    responses: { 200: { description: 'The role', schema: roleSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.access.roles.get(id) };
    },
  }),
  route({
    operationId: 'updateRole',
    method: 'patch',
    path: '/roles/{id}',
    summary: "Change a role's description",
    tag: 'roles',
    scope: 'admin:users',
    request: {
      schema: roleUpdateSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: { description: 'May read every order' },
    },
    responses: { 200: { description: 'The role', schema: roleSchema } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.access.roles.update(id, body, actor) };
    },
  }),
  route({
    operationId: 'deleteRole',
    method: 'delete',
    path: '/roles/{id}',
    summary: 'Delete a role: users and groups stop holding it, from their next token on',
    tag: 'roles',
    scope: 'admin:users',
    responses: { 204: { description: 'Deleted' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.access.roles.remove(id, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'listGroups',
    method: 'get',
    path: '/groups',
    summary: 'List groups with their roles and direct members, ordered by name',
    tag: 'groups',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of groups', schema: groupPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.access.groups.list({
        cursor: query.cursor,
        limit: clampLimit(query.limit),
      });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createGroup',
    method: 'post',
    path: '/groups',
    summary: 'Create a group',
    tag: 'groups',
    scope: 'admin:users',
    request: {
      schema: groupCreateSchema,
      required: true,
      example: { name: 'support', description: 'The help desk' },
    },
    responses: { 201: { description: 'The group', schema: groupSchema } },
    errors: ['invalid_input', 'group_exists'],
    async handle(s, { body, actor }) {
      const group = await s.access.groups.create(body, actor);
      return { status: 201, location: `/groups/${group.name}`, body: group };
    },
  }),
  route({
    operationId: 'getGroup',
    method: 'get',
    path: '/groups/{id}',
    summary: 'A group, by name, with its roles and direct members',
    tag: 'groups',
    scope: 'admin:read',
    responses: { 200: { description: 'The group', schema: groupSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.access.groups.get(id) };
    },
  }),
  route({
    operationId: 'updateGroup',
    method: 'patch',
    path: '/groups/{id}',
    summary: "Change a group's description",
    tag: 'groups',
    scope: 'admin:users',
    request: {
      schema: groupUpdateSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: { description: 'First-line support' },
    },
    responses: { 200: { description: 'The group', schema: groupSchema } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.access.groups.update(id, body, actor) };
    },
  }),
  route({
    operationId: 'deleteGroup',
    method: 'delete',
    path: '/groups/{id}',
    summary: 'Delete a group: its members stop holding its roles, from their next token on',
    tag: 'groups',
    scope: 'admin:users',
    responses: { 204: { description: 'Deleted' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.access.groups.remove(id, actor);
      return { status: 204 };
    },
  }),
  route({
    operationId: 'addGroupMember',
    method: 'post',
    path: '/groups/{id}/members',
    summary: 'Add a user or a group to the group (a group may not end up inside itself)',
    tag: 'groups',
    scope: 'admin:users',
    request: { schema: memberSchema, required: true, example: { user: 'V1StGXR8_Z5jdHi6B-myT' } },
    responses: { 200: { description: 'The group', schema: groupSchema } },
    errors: ['invalid_input', 'not_found', 'group_cycle'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.access.groups.addMember(id, body, actor) };
    },
  }),
  route({
    operationId: 'removeGroupMember',
    method: 'delete',
    path: '/groups/{id}/members',
    summary: 'Remove a user (`?user=<id>`) or a group (`?group=<name>`) from the group',
    tag: 'groups',
    scope: 'admin:users',
    query: memberSchema,
    responses: { 200: { description: 'The group', schema: groupSchema } },
    errors: ['invalid_request', 'invalid_input', 'not_found'],
    async handle(s, { id, query, actor }) {
      return { status: 200, body: await s.access.groups.removeMember(id, query, actor) };
    },
  }),
  route({
    operationId: 'assignGroupRole',
    method: 'post',
    path: '/groups/{id}/roles',
    summary: 'Give the group a role: every member (also through nested groups) holds it',
    tag: 'groups',
    scope: 'admin:users',
    request: { schema: roleRefSchema, required: true, example: { role: 'orders-reader' } },
    responses: { 200: { description: 'The group', schema: groupSchema } },
    errors: ['invalid_input', 'not_found', 'unknown_role'],
    async handle(s, { id, body, actor }) {
      const role = parseRoleReference(body);
      return { status: 200, body: await s.access.groups.assignRole(id, role, actor) };
    },
  }),
  route({
    operationId: 'unassignGroupRole',
    method: 'delete',
    path: '/groups/{id}/roles',
    summary: 'Take a role (`?role=<name>`) from the group',
    tag: 'groups',
    scope: 'admin:users',
    query: roleRefSchema,
    responses: { 200: { description: 'The group', schema: groupSchema } },
    errors: ['invalid_request', 'invalid_input', 'not_found'],
    async handle(s, { id, query, actor }) {
      return { status: 200, body: await s.access.groups.unassignRole(id, query.role, actor) };
    },
  }),
  route({
    operationId: 'getUserAccess',
    method: 'get',
    path: '/users/{id}/access',
    summary: "A user's roles and groups (own and effective) and custom attribute values",
    tag: 'users',
    scope: 'admin:read',
    responses: { 200: { description: "The user's access", schema: userAccessSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.access.users.get(id) };
    },
  }),
  route({
    operationId: 'assignUserRole',
    method: 'post',
    path: '/users/{id}/roles',
    summary: 'Give a user a role directly',
    tag: 'users',
    scope: 'admin:users',
    request: { schema: roleRefSchema, required: true, example: { role: 'orders-reader' } },
    responses: { 200: { description: "The user's access", schema: userAccessSchema } },
    errors: ['invalid_input', 'not_found', 'unknown_role'],
    async handle(s, { id, body, actor }) {
      const role = parseRoleReference(body);
      return { status: 200, body: await s.access.users.assignRole(id, role, actor) };
    },
  }),
  route({
    operationId: 'unassignUserRole',
    method: 'delete',
    path: '/users/{id}/roles',
    summary: 'Take a directly assigned role (`?role=<name>`) from a user',
    tag: 'users',
    scope: 'admin:users',
    query: roleRefSchema,
    responses: { 200: { description: "The user's access", schema: userAccessSchema } },
    errors: ['invalid_request', 'invalid_input', 'not_found'],
    async handle(s, { id, query, actor }) {
      return { status: 200, body: await s.access.users.unassignRole(id, query.role, actor) };
    },
  }),
  route({
    operationId: 'updateUserAttributes',
    method: 'patch',
    path: '/users/{id}/attributes',
    summary:
      "Set a user's custom attribute values (null removes one); each is checked against its type",
    tag: 'users',
    scope: 'admin:users',
    request: {
      schema: attributeValuesSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: { department: 'Logistics', cost_centre: null },
    },
    responses: { 200: { description: "The user's access", schema: userAccessSchema } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.access.users.setAttributes(id, body, actor) };
    },
  }),
  route({
    operationId: 'listAttributes',
    method: 'get',
    path: '/attributes',
    summary: 'The custom account attributes admins may set, ordered by name',
    tag: 'attributes',
    scope: 'admin:read',
    responses: { 200: { description: 'The attributes', schema: attributeListSchema } },
    errors: [],
    async handle(s) {
      return { status: 200, body: { items: await s.access.attributes.list() } };
    },
  }),
  route({
    operationId: 'defineAttribute',
    method: 'post',
    path: '/attributes',
    summary: 'Define a typed custom account attribute (never a protocol claim name)',
    tag: 'attributes',
    scope: 'admin:users',
    request: {
      schema: attributeDefineSchema,
      required: true,
      example: { name: 'department', type: 'string', description: 'Where the user works' },
    },
    responses: { 201: { description: 'The attribute', schema: attributeSchema } },
    errors: ['invalid_input', 'attribute_exists', 'protected_claim'],
    async handle(s, { body, actor }) {
      const attribute = await s.access.attributes.define(body, actor);
      return { status: 201, location: '/attributes', body: attribute };
    },
  }),
  route({
    operationId: 'removeAttribute',
    method: 'delete',
    path: '/attributes/{id}',
    summary: 'Remove an attribute definition (its values are no longer released)',
    tag: 'attributes',
    scope: 'admin:users',
    responses: { 204: { description: 'Removed' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.access.attributes.remove(id, actor);
      return { status: 204 };
    },
  }),

  // Signing keys (issue 16: `admin:keys`), as `portcullis keys list|rotate|prune`.
  route({
    operationId: 'listSigningKeys',
    method: 'get',
    path: '/keys',
    summary: 'Signing keys and their state (never a private key)',
    tag: 'keys',
    scope: 'admin:read',
    responses: { 200: { description: 'The keys', schema: signingKeyListSchema } },
    errors: [],
    async handle(s) {
      return { status: 200, body: { items: await s.keys.list() } };
    },
  }),
  route({
    operationId: 'rotateSigningKeys',
    method: 'post',
    path: '/keys/rotate',
    summary:
      'Start a zero-downtime rotation: new keys published now, signing after keys.publishLeadSeconds',
    tag: 'keys',
    scope: 'admin:keys',
    responses: { 200: { description: 'What was added and retired', schema: keyRotationSchema } },
    errors: [],
    async handle(s, { actor }) {
      return { status: 200, body: await s.keys.rotate(actor) };
    },
  }),
  route({
    operationId: 'pruneSigningKeys',
    method: 'post',
    path: '/keys/prune',
    summary: 'Delete expired keys (no longer published)',
    tag: 'keys',
    scope: 'admin:keys',
    responses: { 200: { description: 'The removed key ids', schema: keyPruneSchema } },
    errors: [],
    async handle(s, { actor }) {
      return { status: 200, body: await s.keys.prune(actor) };
    },
  }),
  // Webhook endpoints (Standard Webhooks; docs/webhooks.md). The secret is shown once.
  route({
    operationId: 'listWebhooks',
    method: 'get',
    path: '/webhooks',
    summary: 'List webhook endpoints, ordered by id (never their secrets)',
    tag: 'webhooks',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of webhook endpoints', schema: webhookPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.webhooks.list({
        cursor: query.cursor,
        limit: clampLimit(query.limit),
      });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createWebhook',
    method: 'post',
    path: '/webhooks',
    summary:
      'Register a webhook endpoint; its signing secret is generated and shown only in this answer',
    tag: 'webhooks',
    scope: 'admin:clients',
    request: {
      schema: webhookCreateSchema,
      required: true,
      example: {
        url: 'https://crm.example.com/hooks/portcullis',
        events: ['admin.user.*', 'login.locked', 'consent.given'],
        description: 'CRM sync',
      },
    },
    responses: {
      201: {
        description: 'The endpoint, with its secret (shown once)',
        schema: createdWebhookSchema,
      },
    },
    errors: ['invalid_input'],
    async handle(s, { body, actor }) {
      const created = await s.webhooks.create(body, actor);
      return { status: 201, location: `/webhooks/${created.id}`, body: created };
    },
  }),
  route({
    operationId: 'getWebhook',
    method: 'get',
    path: '/webhooks/{id}',
    summary: 'A webhook endpoint (never its secret)',
    tag: 'webhooks',
    scope: 'admin:read',
    responses: { 200: { description: 'The endpoint', schema: webhookSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.webhooks.get(id) };
    },
  }),
  route({
    operationId: 'updateWebhook',
    method: 'patch',
    path: '/webhooks/{id}',
    summary: "Change a webhook endpoint's URL, events, description or disabled flag",
    tag: 'webhooks',
    scope: 'admin:clients',
    request: {
      schema: webhookPatchSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: { events: ['*'], disabled: false },
    },
    responses: { 200: { description: 'The endpoint', schema: webhookSchema } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.webhooks.update(id, body, actor) };
    },
  }),
  route({
    operationId: 'rotateWebhookSecret',
    method: 'post',
    path: '/webhooks/{id}/rotate-secret',
    summary: 'Give a webhook endpoint a new signing secret (shown only in this answer)',
    tag: 'webhooks',
    scope: 'admin:clients',
    responses: {
      200: { description: 'The endpoint with its new secret', schema: createdWebhookSchema },
    },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      return { status: 200, body: await s.webhooks.rotateSecret(id, actor) };
    },
  }),
  route({
    operationId: 'deleteWebhook',
    method: 'delete',
    path: '/webhooks/{id}',
    summary: 'Delete a webhook endpoint; its undelivered messages become dead letters',
    tag: 'webhooks',
    scope: 'admin:clients',
    responses: { 204: { description: 'Deleted' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.webhooks.remove(id, actor);
      return { status: 204 };
    },
  }),

  // The outbox: pending deliveries and dead letters (logout tokens and webhooks).
  route({
    operationId: 'listDeliveries',
    method: 'get',
    path: '/deliveries',
    summary:
      'Outbound deliveries waiting or given up (dead letters), oldest first; never their bodies',
    tag: 'deliveries',
    scope: 'admin:read',
    query: deliveryQuerySchema,
    responses: { 200: { description: 'A page of deliveries', schema: deliveryPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.deliveries.list(
        { state: query.state, kind: query.kind, target: query.target },
        { cursor: query.cursor, limit: clampLimit(query.limit) },
      );
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'getDelivery',
    method: 'get',
    path: '/deliveries/{id}',
    summary: 'One outbound delivery',
    tag: 'deliveries',
    scope: 'admin:read',
    responses: { 200: { description: 'The delivery', schema: deliverySchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.deliveries.get(id) };
    },
  }),
  route({
    operationId: 'retryDelivery',
    method: 'post',
    path: '/deliveries/{id}/retry',
    summary: 'Retry a dead letter now, with a fresh retry budget',
    tag: 'deliveries',
    scope: 'admin:clients',
    responses: { 200: { description: 'The delivery, pending again', schema: deliverySchema } },
    errors: ['not_found', 'delivery_not_dead'],
    errorDescriptions: { 409: 'The delivery is not a dead letter' },
    async handle(s, { id, actor }) {
      return { status: 200, body: await s.deliveries.retry(id, actor) };
    },
  }),
  route({
    operationId: 'deleteDelivery',
    method: 'delete',
    path: '/deliveries/{id}',
    summary: 'Discard a delivery (pending or dead) without sending it',
    tag: 'deliveries',
    scope: 'admin:clients',
    responses: { 204: { description: 'Discarded' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.deliveries.remove(id, actor);
      return { status: 204 };
    },
  }),
  // User import (docs/import.md): all or nothing, with every bad line reported.
  route({
    operationId: 'importUsers',
    method: 'post',
    path: '/users/import',
    summary:
      'Import users with password hashes from another system (bcrypt, PBKDF2, scrypt, argon2); rehashed to argon2id at first sign-in',
    tag: 'users',
    scope: 'admin:users',
    request: {
      schema: importRequestSchema,
      required: true,
      example: {
        format: 'jsonl',
        content:
          '{"username":"alice","email":"alice@example.com","password_hash":"$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy","claims":{"name":"Alice"}}\n',
        dry_run: true,
      },
    },
    responses: {
      200: {
        description: 'What was (or, on a dry run or with problems, would have been) imported',
        schema: importReportSchema,
      },
    },
    errors: ['invalid_input'],
    async handle(s, { body, actor }) {
      return { status: 200, body: await s.imports.run(body, actor) };
    },
  }),
  // APIs (resource servers, RFC 8707; docs/apis.md), as `portcullis api …`.
  route({
    operationId: 'listApis',
    method: 'get',
    path: '/apis',
    summary: 'List APIs (resource servers), ordered by identifier',
    tag: 'apis',
    scope: 'admin:read',
    query: pageQuerySchema,
    responses: { 200: { description: 'A page of APIs', schema: apiPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.apis.list({ cursor: query.cursor, limit: clampLimit(query.limit) });
      return { status: 200, body: page(result) };
    },
  }),
  route({
    operationId: 'createApi',
    method: 'post',
    path: '/apis',
    summary: 'Register an API that clients get tokens for with resource=<identifier>',
    tag: 'apis',
    scope: 'admin:clients',
    request: {
      schema: resourceServerInputSchema,
      required: true,
      example: {
        identifier: 'https://orders.example.com/api',
        name: 'Orders API',
        scopes: [{ name: 'orders:read', description: 'Read your orders' }],
        token_format: 'jwt',
      },
    },
    responses: { 201: { description: 'The API', schema: apiSchema } },
    errors: ['invalid_input', 'resource_server_exists'],
    errorDescriptions: { 409: 'An API with that identifier exists' },
    async handle(s, { body, actor }) {
      const api = await s.apis.create(body, actor);
      return { status: 201, location: `/apis/${api.id}`, body: api };
    },
  }),
  route({
    operationId: 'getApi',
    method: 'get',
    path: '/apis/{id}',
    summary: 'An API, by id',
    tag: 'apis',
    scope: 'admin:read',
    responses: { 200: { description: 'The API', schema: apiSchema } },
    errors: ['not_found'],
    async handle(s, { id }) {
      return { status: 200, body: await s.apis.get(id) };
    },
  }),
  route({
    operationId: 'updateApi',
    method: 'patch',
    path: '/apis/{id}',
    summary: "Change an API's name, scopes, token format, lifetime, algorithm or clients",
    tag: 'apis',
    scope: 'admin:clients',
    request: {
      schema: apiPatchSchema,
      required: true,
      mediaTypes: MERGE_PATCH,
      example: { name: 'Orders API v2', access_token_ttl: 600 },
    },
    responses: { 200: { description: 'The API', schema: apiSchema } },
    errors: ['invalid_input', 'not_found'],
    async handle(s, { id, body, actor }) {
      return { status: 200, body: await s.apis.update(id, body ?? {}, actor) };
    },
  }),
  route({
    operationId: 'deleteApi',
    method: 'delete',
    path: '/apis/{id}',
    summary: 'Delete an API: no new tokens for it, its tokens introspect as inactive',
    tag: 'apis',
    scope: 'admin:clients',
    responses: { 204: { description: 'Deleted' } },
    errors: ['not_found'],
    async handle(s, { id, actor }) {
      await s.apis.remove(id, actor);
      return { status: 204 };
    },
  }),

  // Security events (sign-ins, lockouts, logouts, deliveries …), as `portcullis events list`.
  route({
    operationId: 'listSecurityEvents',
    method: 'get',
    path: '/security-events',
    summary: 'Security events of every kind (ASVS 16.3), newest first, filtered and paged',
    tag: 'security-events',
    scope: 'admin:read',
    query: auditQuerySchema,
    responses: { 200: { description: 'A page of events', schema: auditEventPageSchema } },
    errors: ['invalid_request'],
    async handle(s, { query }) {
      const result = await s.audit.list(
        {
          type: query.type,
          typePrefix: query.type_prefix,
          clientId: query.client_id,
          subject: query.subject,
          since: query.since,
          until: query.until,
        },
        { cursor: query.cursor, limit: clampLimit(query.limit) },
      );
      return {
        status: 200,
        body: { items: result.items.map(eventView), next_cursor: result.nextCursor ?? null },
      };
    },
  }),
];
