import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { ListPage, OidcModelStore, OidcPayload } from '../storage/ports.ts';
import {
  SERVER_SET_FIELDS,
  clientInputSchema,
  type ClientAuthMethod,
  type ClientGrantType,
  type ParsedClientInput,
} from './client-input-schema.ts';
import { httpsUriProblem, redirectUriProblem, type ApplicationType } from './uri-rules.ts';

/**
 * Registration of clients (relying parties and APIs), shared by the CLI and the admin API.
 * Clients are oidc-provider `Client` model entries in the store, so the provider finds them
 * directly; the engine's own validation runs on every new client (`validate`), so what we
 * accept the provider accepts too, and the rules below add what RFC 9700 demands on top.
 */

/** Client metadata as stored, without the secret (never shown after creation). */
export interface ClientView {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  application_type: ApplicationType;
  grant_types: ClientGrantType[];
  response_types: string[];
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  token_endpoint_auth_method: ClientAuthMethod;
  scope?: string;
  resource_server: boolean;
  logo_uri?: string;
  client_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  /** RFC 7591 §3.2.1: 0 = the secret does not expire. Present only for clients with a secret. */
  client_secret_expires_at?: number;
}

/** The answer to `create` (the RFC 7591 §3.2.1 registration response): the only time the secret is shown. */
export type CreatedClient = ClientView & { client_secret?: string };

/** The engine's metadata validation, e.g. `(m) => provider.Client.validate(m)`. */
export type ValidateClientMetadata = (metadata: Record<string, unknown>) => Promise<void>;

export interface ClientServiceDeps {
  store: OidcModelStore;
  validate: ValidateClientMetadata;
  /** See `RedirectUriPolicy`; `config.env !== 'production'` at the call sites. */
  allowHttpLoopbackForWebClients: boolean;
  now?: () => number;
}

const MAX_PAGE = 100;
const REDIRECT_FIELDS = new Set(['redirect_uris', 'post_logout_redirect_uris']);

/**
 * RFC 7591 §3.2.2: a bad redirect URI answers `invalid_redirect_uri`, any other bad field
 * `invalid_client_metadata`; `details` maps each field to what is wrong with it.
 */
function metadataError(details: Record<string, string>): AppError {
  const code = Object.keys(details).some((k) => REDIRECT_FIELDS.has(k))
    ? 'invalid_redirect_uri'
    : 'invalid_client_metadata';
  return new AppError(code, details);
}

function addDetail(details: Map<string, string>, field: string, message: string): void {
  const prev = details.get(field);
  details.set(field, prev === undefined ? message : `${prev}; ${message}`);
}

function toDetails(details: Map<string, string>): Record<string, string> {
  // Object.fromEntries defines own properties, so a field named `__proto__` stays data.
  return Object.fromEntries(details);
}

function describeSchemaIssues(error: z.ZodError): Map<string, string> {
  const details = new Map<string, string>();
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        addDetail(
          details,
          key.slice(0, 64),
          SERVER_SET_FIELDS[key] ?? 'is not a client metadata field this server accepts',
        );
      }
      continue;
    }
    // The first problem of a field is the one to fix (a wrong type makes the rest noise).
    const field = issue.path[0] === undefined ? 'client_metadata' : String(issue.path[0]);
    if (!details.has(field)) details.set(field, issue.message);
  }
  return details;
}

/** Rules across fields (RFC 9700 §2.1, §2.6; RFC 6749 §4.4; RFC 8252 §8.5; RFC 7662 §2.1). */
function checkConsistency(input: ParsedClientInput, allowHttpLoopbackForWebClients: boolean) {
  const details = new Map<string, string>();
  const applicationType: ApplicationType = input.application_type ?? 'web';
  // Native apps cannot keep a secret (RFC 8252 §8.5), so they are public clients by default.
  const authMethod: ClientAuthMethod =
    input.token_endpoint_auth_method ??
    (applicationType === 'native' ? 'none' : 'client_secret_basic');
  const grantTypes: ClientGrantType[] = input.grant_types ?? [
    'authorization_code',
    'refresh_token',
  ];
  const usesCode = grantTypes.includes('authorization_code');

  if (grantTypes.includes('refresh_token') && !usesCode) {
    addDetail(
      details,
      'grant_types',
      'refresh_token needs authorization_code: refresh tokens are issued only with the code flow',
    );
  }
  if (usesCode && (input.redirect_uris ?? []).length === 0) {
    addDetail(
      details,
      'redirect_uris',
      'are required for clients using the authorization_code grant',
    );
  }
  if (!usesCode) {
    // Nothing is ever redirected to a client that signs no one in.
    if ((input.redirect_uris ?? []).length > 0) {
      addDetail(
        details,
        'redirect_uris',
        'must be empty for clients without the authorization_code grant',
      );
    }
    if ((input.post_logout_redirect_uris ?? []).length > 0) {
      addDetail(
        details,
        'post_logout_redirect_uris',
        'must be empty for clients without the authorization_code grant',
      );
    }
  }
  if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
    addDetail(
      details,
      'grant_types',
      'client_credentials needs an authenticated client (RFC 6749 §4.4), not a public one',
    );
  }
  if (authMethod === 'none' && input.resource_server === true) {
    addDetail(
      details,
      'resource_server',
      'an API calling introspection must authenticate (RFC 7662 §2.1), so it cannot be a public client',
    );
  }
  if (applicationType === 'native' && authMethod !== 'none') {
    addDetail(
      details,
      'token_endpoint_auth_method',
      "must be none for native apps: an app on users' devices cannot keep a secret (RFC 8252 §8.5)",
    );
  }

  const policy = { applicationType, allowHttpLoopbackForWebClients };
  for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    for (const uri of input[field] ?? []) {
      const problem = redirectUriProblem(uri, policy);
      if (problem) addDetail(details, field, `${JSON.stringify(uri)} ${problem}`);
    }
  }
  for (const field of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const) {
    const uri = input[field];
    const problem = uri === undefined ? undefined : httpsUriProblem(uri);
    if (problem) addDetail(details, field, problem);
  }
  return { details, applicationType, authMethod, grantTypes, usesCode };
}

interface EngineMetadataError {
  error: string;
  error_description: string;
}

function isEngineMetadataError(err: unknown): err is EngineMetadataError {
  if (typeof err !== 'object' || err === null) return false;
  const { error, error_description: description } = err as Partial<EngineMetadataError>;
  return (
    (error === 'invalid_client_metadata' || error === 'invalid_redirect_uri') &&
    typeof description === 'string'
  );
}

/** Turns "redirect_uris must only contain valid uris" into { redirect_uris: 'must only contain valid uris' }. */
function fromEngineError(err: EngineMetadataError): AppError {
  const match = /^([a-z_]+) (.+)$/.exec(err.error_description);
  if (match?.[1] && match[2]) return metadataError({ [match[1]]: match[2] });
  const field = err.error === 'invalid_redirect_uri' ? 'redirect_uris' : 'client_metadata';
  return metadataError({ [field]: err.error_description });
}

export function toClientView(payload: OidcPayload): ClientView {
  const view: Record<string, unknown> = {
    ...payload,
    resource_server: payload.resource_server === true,
  };
  delete view.client_secret;
  return view as unknown as ClientView;
}

function checkId(id: string): void {
  // Generated ids are 22 base64url characters; anything else cannot exist, so it is not looked up.
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new AppError('not_found', { client: 'no such client' });
  }
}

export function createClientService(deps: ClientServiceDeps) {
  const now = deps.now ?? Date.now;

  return {
    /**
     * Registers a client from admin input (validated here, so any caller may pass its raw
     * body). Nothing is stored unless every rule and the engine accept it.
     */
    async create(input: unknown): Promise<CreatedClient> {
      const parsed = clientInputSchema.safeParse(input);
      if (!parsed.success) throw metadataError(toDetails(describeSchemaIssues(parsed.error)));
      const data = parsed.data;
      const rules = checkConsistency(data, deps.allowHttpLoopbackForWebClients);
      if (rules.details.size > 0) throw metadataError(toDetails(rules.details));

      // 16 random bytes as base64url: unguessable, and never a dot (dots break MongoDB keys).
      const clientId = randomBytes(16).toString('base64url');
      const secret =
        rules.authMethod === 'none' ? undefined : randomBytes(32).toString('base64url');
      const metadata: Record<string, unknown> = {
        client_id: clientId,
        client_id_issued_at: Math.floor(now() / 1000),
        // TODO(issue 4): encrypt client secrets at rest (AES-256-GCM with a configured key).
        ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 }),
        client_name: data.client_name,
        application_type: rules.applicationType,
        grant_types: rules.grantTypes,
        response_types: rules.usesCode ? ['code'] : [],
        redirect_uris: rules.usesCode ? (data.redirect_uris ?? []) : [],
        ...(data.post_logout_redirect_uris?.length
          ? { post_logout_redirect_uris: data.post_logout_redirect_uris }
          : {}),
        token_endpoint_auth_method: rules.authMethod,
        ...(data.scope === undefined ? {} : { scope: data.scope }),
        resource_server: data.resource_server ?? false,
        ...(data.logo_uri === undefined ? {} : { logo_uri: data.logo_uri }),
        ...(data.client_uri === undefined ? {} : { client_uri: data.client_uri }),
        ...(data.policy_uri === undefined ? {} : { policy_uri: data.policy_uri }),
        ...(data.tos_uri === undefined ? {} : { tos_uri: data.tos_uri }),
      };

      try {
        await deps.validate(metadata);
      } catch (err) {
        if (isEngineMetadataError(err)) throw fromEngineError(err);
        throw err;
      }
      await deps.store.upsert('Client', clientId, metadata);
      return {
        ...toClientView(metadata),
        ...(secret === undefined ? {} : { client_secret: secret }),
      };
    },

    async get(id: string): Promise<ClientView> {
      checkId(id);
      const payload = await deps.store.find('Client', id);
      if (!payload) throw new AppError('not_found', { client: 'no such client' });
      return toClientView(payload);
    },

    async list(options: {
      cursor?: string | undefined;
      limit: number;
    }): Promise<ListPage<ClientView>> {
      const limit = Number.isFinite(options.limit)
        ? Math.min(Math.max(Math.trunc(options.limit), 1), MAX_PAGE)
        : MAX_PAGE;
      const page = await deps.store.list('Client', { cursor: options.cursor, limit });
      return {
        items: page.items.map((item) => toClientView(item.payload)),
        nextCursor: page.nextCursor,
      };
    },

    /**
     * Deletes a client. The provider finds the client on every client authentication, userinfo
     * and introspection request, so the client and its tokens stop working at once.
     */
    async remove(id: string): Promise<void> {
      checkId(id);
      if (!(await deps.store.find('Client', id)))
        throw new AppError('not_found', { client: 'no such client' });
      await deps.store.destroy('Client', id);
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
