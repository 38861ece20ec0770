import { generateClientId } from '../clients/generate-client-credentials.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import { RESOURCE_SERVER_METADATA } from '../oidc/client-metadata.ts';
import { DEFAULT_JWT_ACCESS_TOKEN_TTL_SECONDS } from './resource-server-defaults.ts';
import {
  StoreConflictError,
  type ListPage,
  type OidcModelStore,
  type ResourceServerPatch,
  type ResourceServerRecord,
  type ResourceServerStore,
} from '../storage/ports.ts';
import {
  RESOURCE_SERVER_INPUT_FIELDS,
  describeIssues,
  resourceServerInputSchema,
  type ParsedResourceServerInput,
} from './resource-server-input.ts';

/**
 * Registration of APIs (resource servers, RFC 8707), shared by the CLI and the admin API. An API
 * is an identifier (the `resource` URI clients ask tokens for, which becomes the tokens' `aud`),
 * the scopes it defines, how its access tokens look (RFC 9068 JWT or opaque), how long they live,
 * and which clients speak for it at the introspection endpoint (RFC 7662).
 */

export { DEFAULT_JWT_ACCESS_TOKEN_TTL_SECONDS };

/** What an API looks like to admins (snake_case, like client metadata). */
export interface ResourceServerView {
  id: string;
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  token_format: 'opaque' | 'jwt';
  /** Seconds; absent when the API uses the default (300 s for JWT, `ttl.accessToken` for opaque). */
  access_token_ttl?: number;
  signing_alg: string;
  introspection_client_ids: string[];
  /** Clients that may get this API's tokens with client credentials, and with which scopes. */
  client_credentials_grants: { client_id: string; scopes: string[] }[];
  /** Issue 16: the scopes each role allows in user-facing flows (absent: every user, every scope). */
  role_scopes?: { role: string; scopes: string[] }[];
  /** Epoch seconds. */
  created_at: number;
  updated_at: number;
}

export interface ResourceServerChange {
  api: ResourceServerView;
  /** Fields whose value changed (for the audit log; names only). */
  changed: string[];
}

export interface ResourceServerLimits {
  /** `keys.algorithms`: a JWT can only be signed with an algorithm the server has a key for. */
  signingAlgorithms: readonly string[];
  /**
   * The longest access-token lifetime: `keys rotate` keeps a retired key published that long
   * (src/cli/keys-commands.ts), so a longer-lived JWT could outlive the key that verifies it.
   */
  maxAccessTokenTtlSeconds: number;
}

export function resourceServerLimits(config: Pick<Config, 'keys' | 'ttl'>): ResourceServerLimits {
  return {
    signingAlgorithms: [...config.keys.algorithms],
    maxAccessTokenTtlSeconds: Math.max(config.ttl.accessToken, config.ttl.clientCredentials),
  };
}

export interface ResourceServerServiceDeps {
  store: ResourceServerStore;
  /** Where clients live: linked introspection clients must exist and be resource servers. */
  clients: Pick<OidcModelStore, 'find'>;
  limits: ResourceServerLimits;
  now?: () => number;
  /** Called after every change (e.g. so this process's cached copy is dropped at once). */
  onChange?: () => void;
  /** Issue 16: whether a role exists, so role scopes never name an unknown role. */
  roleExists?: ((name: string) => Promise<boolean>) | undefined;
}

const MAX_PAGE = 100;

/** The signing algorithm used when none is given: ES256 (small, fast), else the first configured. */
export function defaultSigningAlg(algorithms: readonly string[]): string {
  return algorithms.includes('ES256') ? 'ES256' : (algorithms[0] ?? 'ES256');
}

export function toResourceServerView(record: ResourceServerRecord): ResourceServerView {
  return {
    id: record.id,
    identifier: record.identifier,
    name: record.name,
    scopes: record.scopes.map((s) => ({ name: s.name, description: s.description })),
    token_format: record.tokenFormat,
    ...(record.accessTokenTtlSeconds === undefined
      ? {}
      : { access_token_ttl: record.accessTokenTtlSeconds }),
    signing_alg: record.signingAlg,
    introspection_client_ids: [...record.introspectionClientIds],
    client_credentials_grants: record.clientCredentialsGrants.map((g) => ({
      client_id: g.clientId,
      scopes: [...g.scopes],
    })),
    ...(record.roleScopes !== undefined && record.roleScopes.length > 0
      ? { role_scopes: record.roleScopes.map((r) => ({ role: r.role, scopes: [...r.scopes] })) }
      : {}),
    created_at: Math.floor(record.createdAt / 1000),
    updated_at: Math.floor(record.updatedAt / 1000),
  };
}

/** The stored API as input again (what a merge patch applies to). */
function asInput(record: ResourceServerRecord): Record<string, unknown> {
  const view = toResourceServerView(record);
  const input: Record<string, unknown> = {};
  for (const field of RESOURCE_SERVER_INPUT_FIELDS) {
    if (view[field] !== undefined) input[field] = view[field];
  }
  return input;
}

/** RFC 7396 JSON merge patch, one level deep: `null` removes a field, any other value replaces it. */
function mergePatch(current: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new AppError('invalid_input', { api: 'must be a JSON object' });
  }
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}

function parseInput(input: unknown): ParsedResourceServerInput {
  const parsed = resourceServerInputSchema.safeParse(input);
  if (!parsed.success) throw new AppError('invalid_input', describeIssues(parsed.error));
  return parsed.data;
}

function changedFields(before: ResourceServerView, after: ResourceServerView): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('updated_at');
  return [...keys]
    .filter(
      (k) =>
        JSON.stringify(before[k as keyof ResourceServerView]) !==
        JSON.stringify(after[k as keyof ResourceServerView]),
    )
    .sort();
}

export function createResourceServerService(deps: ResourceServerServiceDeps) {
  const now = deps.now ?? Date.now;
  const { limits } = deps;

  /** Rules beyond the schema, which need the configuration and the client store. */
  async function checkRules(
    data: ParsedResourceServerInput,
    previous?: ResourceServerRecord,
  ): Promise<void> {
    const previousClients = previous?.introspectionClientIds ?? [];
    const previousGrants = new Set(previous?.clientCredentialsGrants.map((g) => g.clientId));
    const details = new Map<string, string>();
    if (data.signing_alg !== undefined && !limits.signingAlgorithms.includes(data.signing_alg)) {
      details.set(
        'signing_alg',
        `must be one of the configured keys.algorithms: ${limits.signingAlgorithms.join(', ')}`,
      );
    }
    if (
      data.access_token_ttl !== undefined &&
      data.access_token_ttl > limits.maxAccessTokenTtlSeconds
    ) {
      details.set(
        'access_token_ttl',
        `must be at most ${limits.maxAccessTokenTtlSeconds} seconds (the longest ttl.accessToken/ttl.clientCredentials, for which rotated signing keys stay published)`,
      );
    }
    // Only newly linked clients are checked: one deleted since it was linked can still be unlinked.
    for (const clientId of data.introspection_client_ids ?? []) {
      if (previousClients.includes(clientId)) continue;
      const client = await deps.clients.find('Client', clientId);
      if (!client) {
        details.set('introspection_client_ids', `${clientId} is not a registered client`);
      } else if (client[RESOURCE_SERVER_METADATA] !== true) {
        details.set(
          'introspection_client_ids',
          `${clientId} is not registered as a resource server (client add --resource-server)`,
        );
      } else if (client.token_endpoint_auth_method === 'none') {
        // RFC 7662 §2.1: the introspection endpoint needs an authenticated caller.
        details.set(
          'introspection_client_ids',
          `${clientId} is a public client and cannot authenticate to introspect`,
        );
      }
      if (details.has('introspection_client_ids')) break;
    }
    const defined = new Set((data.scopes ?? []).map((s) => s.name));
    for (const grant of data.client_credentials_grants ?? []) {
      const unknown = grant.scopes.filter((name) => !defined.has(name));
      if (unknown.length > 0) {
        details.set(
          'client_credentials_grants',
          `${grant.client_id}: ${unknown.join(', ')} ${unknown.length > 1 ? 'are not scopes' : 'is not a scope'} of this API`,
        );
        break;
      }
      if (previousGrants.has(grant.client_id)) continue;
      const client = await deps.clients.find('Client', grant.client_id);
      const grantTypes = Array.isArray(client?.grant_types)
        ? (client.grant_types as unknown[])
        : [];
      if (!client) {
        details.set('client_credentials_grants', `${grant.client_id} is not a registered client`);
      } else if (!grantTypes.includes('client_credentials')) {
        details.set(
          'client_credentials_grants',
          `${grant.client_id} does not use the client_credentials grant`,
        );
      }
      if (details.has('client_credentials_grants')) break;
    }
    // Issue 16: role scopes name defined scopes and existing roles.
    for (const rule of data.role_scopes ?? []) {
      const unknown = rule.scopes.filter((name) => !defined.has(name));
      if (unknown.length > 0) {
        details.set(
          'role_scopes',
          `${rule.role}: ${unknown.join(', ')} ${unknown.length > 1 ? 'are not scopes' : 'is not a scope'} of this API`,
        );
        break;
      }
      if (deps.roleExists && !(await deps.roleExists(rule.role))) {
        details.set('role_scopes', `${rule.role} is not a role (portcullis role add)`);
        break;
      }
    }
    if (details.size > 0) throw new AppError('invalid_input', Object.fromEntries(details));
  }

  function roleScopesOf(data: ParsedResourceServerInput): ResourceServerRecord['roleScopes'] {
    return (data.role_scopes ?? []).map((r) => ({ role: r.role, scopes: [...r.scopes] }));
  }

  function grantsOf(
    data: ParsedResourceServerInput,
  ): ResourceServerRecord['clientCredentialsGrants'] {
    return (data.client_credentials_grants ?? []).map((g) => ({
      clientId: g.client_id,
      scopes: [...g.scopes],
    }));
  }

  async function load(idOrIdentifier: string): Promise<ResourceServerRecord> {
    if (
      typeof idOrIdentifier !== 'string' ||
      idOrIdentifier.length === 0 ||
      idOrIdentifier.length > 2000
    ) {
      throw new AppError('not_found', { api: 'no such API' });
    }
    const found =
      (/^[A-Za-z0-9_-]{22}$/.test(idOrIdentifier)
        ? await deps.store.findById(idOrIdentifier)
        : undefined) ?? (await deps.store.findByIdentifier(idOrIdentifier));
    if (!found) throw new AppError('not_found', { api: 'no such API' });
    return found;
  }

  function changed(): void {
    deps.onChange?.();
  }

  /**
   * Changes some fields (RFC 7396 merge patch: `null` removes `access_token_ttl`, back to the
   * default). The identifier never changes: tokens already issued carry it as their audience.
   * Takes effect for new tokens at once, in every process (see resource-server-directory.ts).
   */
  async function update(idOrIdentifier: string, patch: unknown): Promise<ResourceServerChange> {
    const existing = await load(idOrIdentifier);
    const before = toResourceServerView(existing);
    const merged = mergePatch(asInput(existing), patch);
    if (merged.identifier !== existing.identifier) {
      throw new AppError('invalid_input', {
        identifier:
          'cannot be changed: tokens already issued carry it as their audience; register a new API instead',
      });
    }
    const data = parseInput(merged);
    await checkRules(data, existing);
    const next: ResourceServerPatch = {
      name: data.name,
      scopes: (data.scopes ?? []).map((s) => ({ name: s.name, description: s.description ?? '' })),
      tokenFormat: data.token_format ?? 'jwt',
      accessTokenTtlSeconds: data.access_token_ttl,
      signingAlg: data.signing_alg ?? defaultSigningAlg(limits.signingAlgorithms),
      introspectionClientIds: data.introspection_client_ids ?? [],
      clientCredentialsGrants: grantsOf(data),
      roleScopes: roleScopesOf(data),
    };
    const updated = await deps.store.update(existing.id, next, now());
    if (!updated) throw new AppError('not_found', { api: 'no such API' });
    changed();
    const api = toResourceServerView(updated);
    return { api, changed: changedFields(before, api) };
  }

  return {
    /** Registers an API from admin input (validated here, so any caller may pass its raw body). */
    async create(input: unknown): Promise<ResourceServerView> {
      const data = parseInput(input);
      await checkRules(data);
      const at = now();
      const record: ResourceServerRecord = {
        // 16 random bytes as base64url: 22 characters, URL-safe, never a dot.
        // Never starting with "-": `portcullis api update <id>` would take it for an option.
        id: generateClientId(),
        identifier: data.identifier,
        name: data.name,
        scopes: (data.scopes ?? []).map((s) => ({
          name: s.name,
          description: s.description ?? '',
        })),
        tokenFormat: data.token_format ?? 'jwt',
        accessTokenTtlSeconds: data.access_token_ttl,
        signingAlg: data.signing_alg ?? defaultSigningAlg(limits.signingAlgorithms),
        introspectionClientIds: data.introspection_client_ids ?? [],
        clientCredentialsGrants: grantsOf(data),
        ...(data.role_scopes?.length ? { roleScopes: roleScopesOf(data) } : {}),
        createdAt: at,
        updatedAt: at,
      };
      try {
        await deps.store.create(record);
      } catch (err) {
        if (err instanceof StoreConflictError && err.field === 'identifier') {
          throw new AppError('resource_server_exists', { identifier: 'is already registered' });
        }
        throw err;
      }
      changed();
      return toResourceServerView(record);
    },

    /** By id or by identifier. */
    async get(idOrIdentifier: string): Promise<ResourceServerView> {
      return toResourceServerView(await load(idOrIdentifier));
    },

    async list(options: {
      cursor?: string | undefined;
      limit: number;
    }): Promise<ListPage<ResourceServerView>> {
      const limit = Number.isFinite(options.limit)
        ? Math.min(Math.max(Math.trunc(options.limit), 1), MAX_PAGE)
        : MAX_PAGE;
      const page = await deps.store.list({ cursor: options.cursor, limit });
      return { items: page.items.map(toResourceServerView), nextCursor: page.nextCursor };
    },

    update,

    /** Lets `clientId` (a registered resource-server client) introspect this API's tokens. */
    async addIntrospectionClient(
      idOrIdentifier: string,
      clientId: string,
    ): Promise<ResourceServerChange> {
      const existing = await load(idOrIdentifier);
      if (existing.introspectionClientIds.includes(clientId))
        return { api: toResourceServerView(existing), changed: [] };
      return update(existing.id, {
        introspection_client_ids: [...existing.introspectionClientIds, clientId],
      });
    },

    /** Stops `clientId` from introspecting this API's tokens, at once. */
    async removeIntrospectionClient(
      idOrIdentifier: string,
      clientId: string,
    ): Promise<ResourceServerChange> {
      const existing = await load(idOrIdentifier);
      return update(existing.id, {
        introspection_client_ids: existing.introspectionClientIds.filter((id) => id !== clientId),
      });
    },

    /**
     * Lets `clientId` (a client with the client_credentials grant) get this API's tokens with
     * client credentials, with `scopes` (some of the API's scopes; none gives tokens with no scope).
     * Replaces an earlier grant to the same client.
     */
    async grantClientCredentials(
      idOrIdentifier: string,
      clientId: string,
      scopes: readonly string[],
    ): Promise<ResourceServerChange> {
      const existing = await load(idOrIdentifier);
      const others = existing.clientCredentialsGrants.filter((g) => g.clientId !== clientId);
      return update(existing.id, {
        client_credentials_grants: [
          ...others.map((g) => ({ client_id: g.clientId, scopes: g.scopes })),
          { client_id: clientId, scopes: [...scopes] },
        ],
      });
    },

    /** Stops `clientId` from getting new tokens for this API with client credentials, at once. */
    async revokeClientCredentials(
      idOrIdentifier: string,
      clientId: string,
    ): Promise<ResourceServerChange> {
      const existing = await load(idOrIdentifier);
      return update(existing.id, {
        client_credentials_grants: existing.clientCredentialsGrants
          .filter((g) => g.clientId !== clientId)
          .map((g) => ({ client_id: g.clientId, scopes: g.scopes })),
      });
    },

    /**
     * Deletes an API. New token requests for it fail with `invalid_target` at once; tokens
     * already issued for it stop introspecting as active (no client is linked to their audience
     * any more), while a JWT verified locally stays valid until it expires (docs/apis.md).
     */
    async remove(idOrIdentifier: string): Promise<void> {
      const existing = await load(idOrIdentifier);
      await deps.store.remove(existing.id);
      changed();
    },
  };
}

export type ResourceServerService = ReturnType<typeof createResourceServerService>;
