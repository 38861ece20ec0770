import { PROVIDER_SCOPES } from '../oidc/scopes.ts';
import { AppError } from '../errors/app-error.ts';
import type { ListPage, OidcModelName, OidcModelStore, OidcPayload } from '../storage/ports.ts';
import {
  CLIENT_INPUT_FIELDS,
  SECRET_AUTH_METHODS,
  type ClientAuthMethod,
  type ClientGrantType,
} from './client-input-schema.ts';
import {
  checkClientInput,
  fromEngineError,
  metadataError,
  type CheckedClient,
} from './client-rules.ts';
import { generateClientId, generateClientSecret } from './generate-client-credentials.ts';
import type { ApplicationType } from './uri-rules.ts';

/**
 * Registration of clients (relying parties and APIs), shared by the CLI and the admin API.
 * Clients are oidc-provider `Client` model entries in the store, so the provider finds them
 * directly; the engine's own validation runs on every client written (`validate`), so what we
 * accept the provider accepts too, and the rules in client-rules.ts add what RFC 9700 demands.
 */

/** Client metadata as stored, without the secret (never shown after creation or rotation). */
export interface ClientView {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  application_type: ApplicationType;
  grant_types: ClientGrantType[];
  response_types: string[];
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** OIDC Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed. */
  backchannel_logout_uri?: string;
  /** Present with `backchannel_logout_uri`: whether every logout token carries `sid`. */
  backchannel_logout_session_required?: boolean;
  token_endpoint_auth_method: ClientAuthMethod;
  jwks?: { keys: Record<string, unknown>[] };
  jwks_uri?: string;
  scope?: string;
  resource_server: boolean;
  logo_uri?: string;
  client_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  contacts?: string[];
  /** Absent: the server's default (`oidc.idTokenSigningAlg`, RS256 unless configured). */
  id_token_signed_response_alg?: string;
  userinfo_signed_response_alg?: string;
  introspection_signed_response_alg?: string;
  token_endpoint_auth_signing_alg?: string;
  default_max_age?: number;
  require_auth_time?: boolean;
  /** Absent: the server's default (`oidc.idTokenClaims`). */
  id_token_claims?: 'scopes' | 'userinfo';
  /** Issue 16: roles and groups the client may learn; its claim mapping table. */
  visible_roles?: string[];
  visible_groups?: string[];
  claim_mappings?: { claim: string; attribute?: string; from?: string; in?: string[] }[];
  /** Absent: the server's default (`mfa.defaultPolicy`, docs/mfa.md). */
  mfa?: 'none' | 'optional' | 'required';
  /** RFC 7591 §3.2.1: 0 = the secret does not expire. Present only for clients with a secret. */
  client_secret_expires_at?: number;
}

/**
 * The answer to `create`, `rotateSecret`, and an update that gave the client a secret (the RFC
 * 7591 §3.2.1 registration response): the only times the secret is shown.
 */
export type CreatedClient = ClientView & { client_secret?: string };

/** The engine's metadata validation, e.g. `(m) => provider.Client.validate(m)`. */
export type ValidateClientMetadata = (metadata: Record<string, unknown>) => Promise<void>;

export interface ClientServiceDeps {
  store: OidcModelStore;
  validate: ValidateClientMetadata;
  /** See `RedirectUriPolicy`; `config.env !== 'production'` at the call sites. */
  allowHttpLoopbackForWebClients: boolean;
  /** Says what a scope the provider does not define is (e.g. which API defines it), so the
   *  refusal tells the admin how to do it right; a generic refusal without. */
  explainUnknownScope?: ((scope: string) => Promise<string | undefined>) | undefined;
  now?: () => number;
}

/** What an update did, for the audit log: field names only, never values. */
export interface ClientChange {
  client: CreatedClient;
  /** Metadata fields whose stored value changed. */
  changed: string[];
  /** Whether the update gave the client a new secret (it changed to a secret method). */
  secretIssued: boolean;
}

const MAX_PAGE = 100;

/**
 * Everything stored with a `clientId` that would keep a deleted client's access alive: tokens,
 * codes, grants, pending requests and its RFC 7592 registration access token.
 */
export const CLIENT_OWNED_MODELS: readonly OidcModelName[] = [
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'RegistrationAccessToken',
  'Grant',
];

export function toClientView(payload: OidcPayload): ClientView {
  const view: Record<string, unknown> = {
    ...payload,
    resource_server: payload.resource_server === true,
  };
  delete view.client_secret;
  return view as unknown as ClientView;
}

/** The stored metadata as client input again (what PATCH merges into and PUT replaces). */
function asInput(payload: OidcPayload): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of CLIENT_INPUT_FIELDS) {
    if (payload[field] !== undefined) input[field] = payload[field];
  }
  return input;
}

/**
 * RFC 7396 JSON merge patch, one level deep (client metadata values are replaced whole):
 * `null` removes a field, any other value replaces it. Own enumerable keys only, written with
 * `Object.fromEntries`, so a `__proto__` key stays data (ASVS 15.3.6).
 */
function mergePatch(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw metadataError({ client_metadata: 'must be a JSON object' });
  }
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

function checkId(id: string): void {
  // Generated ids are 22 base64url characters; anything else cannot exist, so it is not looked up.
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(id)) {
    throw new AppError('not_found', { client: 'no such client' });
  }
}

function changedFields(before: OidcPayload, after: OidcPayload): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('client_secret');
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

export function createClientService(deps: ClientServiceDeps) {
  const now = deps.now ?? Date.now;
  const rules = { allowHttpLoopbackForWebClients: deps.allowHttpLoopbackForWebClients };

  async function validated(metadata: Record<string, unknown>): Promise<void> {
    // Before the engine, whose refusal ("must only contain Authorization Server supported scope
    // values") does not say that API scopes are asked for with `resource`, not registered.
    const unknown =
      typeof metadata.scope === 'string'
        ? metadata.scope.split(' ').filter((s) => !PROVIDER_SCOPES.has(s))
        : [];
    if (unknown.length > 0) {
      const reasons = await Promise.all(
        unknown.map(
          async (scope) =>
            (await deps.explainUnknownScope?.(scope)) ??
            `${scope} is not a scope this server defines (it defines ${[...PROVIDER_SCOPES].join(', ')})`,
        ),
      );
      throw metadataError({ scope: reasons.join('; ') });
    }
    try {
      await deps.validate(metadata);
    } catch (err) {
      throw fromEngineError(err);
    }
  }

  async function load(id: string): Promise<OidcPayload> {
    checkId(id);
    const payload = await deps.store.find('Client', id);
    if (!payload) throw new AppError('not_found', { client: 'no such client' });
    return payload;
  }

  /** Writes `checked` over the client `existing`, keeping its id, issue time and (if still needed) its secret. */
  async function rewrite(existing: OidcPayload, checked: CheckedClient): Promise<ClientChange> {
    const id = String(existing.client_id);
    const oldSecret =
      typeof existing.client_secret === 'string' ? existing.client_secret : undefined;
    const issued =
      checked.needsSecret && oldSecret === undefined ? generateClientSecret() : undefined;
    const secret = checked.needsSecret ? (oldSecret ?? issued) : undefined;
    const metadata: Record<string, unknown> = {
      client_id: id,
      client_id_issued_at: existing.client_id_issued_at,
      ...(secret === undefined
        ? {}
        : {
            client_secret: secret,
            client_secret_expires_at: existing.client_secret_expires_at ?? 0,
          }),
      ...checked.metadata,
    };
    await validated(metadata);
    await deps.store.upsert('Client', id, metadata);
    return {
      client: {
        ...toClientView(metadata),
        ...(issued === undefined ? {} : { client_secret: issued }),
      },
      changed: changedFields(existing, metadata),
      secretIssued: issued !== undefined,
    };
  }

  return {
    /**
     * Registers a client from admin input (validated here, so any caller may pass its raw
     * body). Nothing is stored unless every rule and the engine accept it.
     */
    async create(input: unknown): Promise<CreatedClient> {
      const checked = checkClientInput(input, rules);
      const clientId = generateClientId();
      const secret = checked.needsSecret ? generateClientSecret() : undefined;
      const metadata: Record<string, unknown> = {
        client_id: clientId,
        client_id_issued_at: Math.floor(now() / 1000),
        // Encrypted at rest by the store decorator (encrypted-client-store.ts).
        ...(secret === undefined ? {} : { client_secret: secret, client_secret_expires_at: 0 }),
        ...checked.metadata,
      };
      await validated(metadata);
      await deps.store.upsert('Client', clientId, metadata);
      return {
        ...toClientView(metadata),
        ...(secret === undefined ? {} : { client_secret: secret }),
      };
    },

    async get(id: string): Promise<ClientView> {
      return toClientView(await load(id));
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
     * Replaces a client's metadata as a whole (HTTP PUT): fields left out take their defaults.
     * The same rules and engine validation as `create`; the id, issue time and secret stay.
     */
    async replace(id: string, input: unknown): Promise<ClientChange> {
      const existing = await load(id);
      return rewrite(existing, checkClientInput(input, rules));
    },

    /**
     * Changes some fields (HTTP PATCH, RFC 7396 merge patch: `null` removes a field). The result
     * is checked as a whole, exactly as a new client would be.
     */
    async update(id: string, patch: unknown): Promise<ClientChange> {
      const existing = await load(id);
      return rewrite(existing, checkClientInput(mergePatch(asInput(existing), patch), rules));
    },

    /** A new secret, shown once; the old one stops working at once. */
    async rotateSecret(id: string): Promise<CreatedClient> {
      const existing = await load(id);
      if (!SECRET_AUTH_METHODS.has(String(existing.token_endpoint_auth_method))) {
        throw new AppError('no_client_secret', {
          token_endpoint_auth_method: `is ${String(existing.token_endpoint_auth_method)}, which uses no secret`,
        });
      }
      const secret = generateClientSecret();
      const metadata = { ...existing, client_secret: secret, client_secret_expires_at: 0 };
      await validated(metadata);
      await deps.store.upsert('Client', id, metadata);
      return { ...toClientView(metadata), client_secret: secret };
    },

    /**
     * Deletes a client and everything issued to it. The provider looks the client up on every
     * client authentication, userinfo and introspection request, so it stops working at once;
     * its tokens, grants and registration access token are deleted too, so nothing issued to it
     * outlives it even if a client with the same id were ever registered again.
     */
    async remove(id: string): Promise<void> {
      await load(id);
      await deps.store.destroy('Client', id);
      for (const model of CLIENT_OWNED_MODELS) await deps.store.revokeByClientId(model, id);
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
