import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { ADMIN_SCOPE, ADMIN_SCOPE_NAMES } from '../oidc/scopes.ts';
import {
  SECRET_AUTH_METHODS,
  SERVER_SET_FIELDS,
  STORED_AS_GIVEN_FIELDS,
  clientInputSchema,
  type ClientAuthMethod,
  type ClientGrantType,
  type ParsedClientInput,
} from './client-input-schema.ts';
import {
  backchannelLogoutUriProblem,
  httpsUriProblem,
  redirectUriProblem,
  type ApplicationType,
} from './uri-rules.ts';

/**
 * The rules a client's metadata must pass, whoever registers it: the admin API, the CLI, or
 * RFC 7591 dynamic registration (through a registration policy). Pure: input in, the metadata
 * to store (without `client_id`, `client_id_issued_at` or a secret) out, or an `AppError` in the
 * RFC 7591 §3.2.2 shape naming every bad field.
 */

export interface ClientRulesOptions {
  /** See `RedirectUriPolicy`; `config.env !== 'production'` at the call sites. */
  allowHttpLoopbackForWebClients: boolean;
}

export interface CheckedClient {
  /** Metadata as stored, minus the server-set `client_id`, `client_id_issued_at` and secret. */
  metadata: Record<string, unknown>;
  /** Whether the client authenticates with a secret the server generates (basic or post). */
  needsSecret: boolean;
}

const REDIRECT_FIELDS = new Set(['redirect_uris', 'post_logout_redirect_uris']);

/**
 * RFC 7591 §3.2.2: a bad redirect URI answers `invalid_redirect_uri`, any other bad field
 * `invalid_client_metadata`; `details` maps each field to what is wrong with it.
 */
export function metadataError(details: Record<string, string>): AppError {
  const code = Object.keys(details).some((k) => REDIRECT_FIELDS.has(k))
    ? 'invalid_redirect_uri'
    : 'invalid_client_metadata';
  return new AppError(code, details);
}

/** `field: problem; field: problem`: the RFC 7591 `error_description`, naming each field. */
export function describeDetails(details: Readonly<Record<string, string>>): string {
  return Object.entries(details)
    .map(([field, problem]) => `${field}: ${problem}`)
    .join('; ');
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
function checkConsistency(input: ParsedClientInput, options: ClientRulesOptions) {
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
  const responseTypes = usesCode ? ['code'] : [];

  if (grantTypes.includes('refresh_token') && !usesCode) {
    addDetail(
      details,
      'grant_types',
      'refresh_token needs authorization_code: refresh tokens are issued only with the code flow',
    );
  }
  if (
    input.response_types !== undefined &&
    input.response_types.join(' ') !== responseTypes.join(' ')
  ) {
    addDetail(
      details,
      'response_types',
      `must be ${JSON.stringify(responseTypes)} for these grant_types (only the code flow is offered, RFC 9700 §2.1.2)`,
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
    // Back-channel logout ends sessions users signed in to; such a client has none.
    if (input.backchannel_logout_uri !== undefined) {
      addDetail(
        details,
        'backchannel_logout_uri',
        'is used only by clients with the authorization_code grant (users sign in to them)',
      );
    }
  }
  if (
    input.backchannel_logout_session_required === true &&
    input.backchannel_logout_uri === undefined
  ) {
    addDetail(
      details,
      'backchannel_logout_session_required',
      'needs a backchannel_logout_uri (OIDC Back-Channel Logout 1.0 §2.2); remove both together',
    );
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
  // private_key_jwt (OIDC Core §9): the server verifies assertions with the client's public keys.
  if (authMethod === 'private_key_jwt') {
    if (input.jwks === undefined && input.jwks_uri === undefined) {
      addDetail(
        details,
        'jwks',
        'or jwks_uri is required with private_key_jwt (the public keys that verify its assertions)',
      );
    }
    if (input.jwks !== undefined && input.jwks_uri !== undefined) {
      addDetail(details, 'jwks_uri', 'must not be given together with jwks (RFC 7591 §2)');
    }
  } else {
    for (const field of ['jwks', 'jwks_uri'] as const) {
      if (input[field] !== undefined) {
        addDetail(details, field, 'is used only with token_endpoint_auth_method private_key_jwt');
      }
    }
  }
  // The admin API trusts any token with this scope: it goes only to clients that act for
  // themselves, never to one a user signs in to (a user-facing flow must not be able to get it).
  if (
    input.scope?.split(' ').some((scope) => ADMIN_SCOPE_NAMES.has(scope)) &&
    grantTypes.join(' ') !== 'client_credentials'
  ) {
    addDetail(
      details,
      'scope',
      `${ADMIN_SCOPE} is allowed only for clients whose only grant is client_credentials`,
    );
  }

  const policy = {
    applicationType,
    allowHttpLoopbackForWebClients: options.allowHttpLoopbackForWebClients,
  };
  for (const field of ['redirect_uris', 'post_logout_redirect_uris'] as const) {
    for (const uri of input[field] ?? []) {
      const problem = redirectUriProblem(uri, policy);
      if (problem) addDetail(details, field, `${JSON.stringify(uri)} ${problem}`);
    }
  }
  if (input.backchannel_logout_uri !== undefined) {
    const problem = backchannelLogoutUriProblem(input.backchannel_logout_uri, {
      allowHttpLoopback: options.allowHttpLoopbackForWebClients,
    });
    if (problem) addDetail(details, 'backchannel_logout_uri', problem);
  }
  // jwks_uri is fetched by the server: https only, like the URIs shown on the consent page.
  for (const field of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'jwks_uri'] as const) {
    const uri = input[field];
    const problem = uri === undefined ? undefined : httpsUriProblem(uri);
    if (problem) addDetail(details, field, problem);
  }
  return { details, applicationType, authMethod, grantTypes, usesCode, responseTypes };
}

/**
 * Checks client metadata input and answers the metadata to store. Unknown fields and
 * server-set fields (`client_id`, `client_secret`, ...) are refused by name (no mass assignment,
 * RFC 9700 §2.6 / ASVS 15.3.3).
 */
export function checkClientInput(input: unknown, options: ClientRulesOptions): CheckedClient {
  const parsed = clientInputSchema.safeParse(input);
  if (!parsed.success) throw metadataError(toDetails(describeSchemaIssues(parsed.error)));
  const data = parsed.data;
  const rules = checkConsistency(data, options);
  if (rules.details.size > 0) throw metadataError(toDetails(rules.details));

  const metadata: Record<string, unknown> = {
    client_name: data.client_name,
    application_type: rules.applicationType,
    grant_types: rules.grantTypes,
    response_types: rules.responseTypes,
    redirect_uris: rules.usesCode ? (data.redirect_uris ?? []) : [],
    ...(data.post_logout_redirect_uris?.length
      ? { post_logout_redirect_uris: data.post_logout_redirect_uris }
      : {}),
    // The flag means nothing without the URI, so it is stored only with it (default false, §2.2).
    ...(data.backchannel_logout_uri === undefined
      ? {}
      : {
          backchannel_logout_uri: data.backchannel_logout_uri,
          backchannel_logout_session_required: data.backchannel_logout_session_required ?? false,
        }),
    token_endpoint_auth_method: rules.authMethod,
    ...(data.jwks === undefined ? {} : { jwks: data.jwks }),
    ...(data.jwks_uri === undefined ? {} : { jwks_uri: data.jwks_uri }),
    ...(data.scope === undefined ? {} : { scope: data.scope }),
    resource_server: data.resource_server ?? false,
    ...(data.logo_uri === undefined ? {} : { logo_uri: data.logo_uri }),
    ...(data.client_uri === undefined ? {} : { client_uri: data.client_uri }),
    ...(data.policy_uri === undefined ? {} : { policy_uri: data.policy_uri }),
    ...(data.tos_uri === undefined ? {} : { tos_uri: data.tos_uri }),
    ...optional(data, STORED_AS_GIVEN_FIELDS),
  };
  return { metadata, needsSecret: SECRET_AUTH_METHODS.has(rules.authMethod) };
}

/** The fields of `data` that are set, as they are (fields the engine defaults when absent). */
function optional<K extends keyof ParsedClientInput>(
  data: ParsedClientInput,
  keys: readonly K[],
): Partial<Pick<ParsedClientInput, K>> {
  const picked: Partial<Pick<ParsedClientInput, K>> = {};
  for (const key of keys) if (data[key] !== undefined) picked[key] = data[key];
  return picked;
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

/**
 * The engine's objection as our error: "redirect_uris must only contain valid uris" becomes
 * { redirect_uris: 'must only contain valid uris' }. Anything else is rethrown as it is.
 */
export function fromEngineError(err: unknown): unknown {
  if (!isEngineMetadataError(err)) return err;
  const match = /^([a-z_]+) (.+)$/.exec(err.error_description);
  if (match?.[1] && match[2]) return metadataError({ [match[1]]: match[2] });
  const field = err.error === 'invalid_redirect_uri' ? 'redirect_uris' : 'client_metadata';
  return metadataError({ [field]: err.error_description });
}
