import { createAuditLog } from '../admin/audit-log.ts';
import type { Services } from '../open-services.ts';
import {
  createResourceServerService,
  resourceServerLimits,
  type ResourceServerService,
  type ResourceServerView,
} from '../resources/resource-server-service.ts';
import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';

/**
 * `portcullis api …`: APIs (resource servers, RFC 8707) that clients get tokens for. Changes
 * reach running servers at once (they check the store's version tag on each use) and are written
 * to the audit log as `admin.api.*`, like the admin API's changes.
 */

function openService(services: Services): ResourceServerService {
  return createResourceServerService({
    store: services.store.resourceServers,
    clients: services.store.oidc,
    limits: resourceServerLimits(services.config),
    now: services.now,
    roleExists: async (name) => (await services.store.accessControl.findRole(name)) !== undefined,
  });
}

function audit(services: Services) {
  return createAuditLog({ events: services.store.events, now: services.now });
}

/** `key: value` lines of an API. */
function describeApi(api: ResourceServerView): string[] {
  const lines: [string, string][] = [
    ['id', api.id],
    ['identifier', api.identifier],
    ['name', api.name],
    ['token_format', api.token_format],
    [
      'access_token_ttl',
      api.access_token_ttl === undefined
        ? `default (${api.token_format === 'jwt' ? '300 s' : 'ttl.accessToken / ttl.clientCredentials'})`
        : `${api.access_token_ttl} s`,
    ],
  ];
  if (api.token_format === 'jwt') lines.push(['signing_alg', api.signing_alg]);
  lines.push(['scopes', api.scopes.length === 0 ? '-' : '']);
  const width = Math.max(...lines.map(([key]) => key.length), 'introspection_clients'.length) + 1;
  const out = lines.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`.trimEnd());
  for (const scope of api.scopes)
    out.push(`  ${scope.name}${scope.description ? `  ${scope.description}` : ''}`);
  out.push(
    `${'introspection_clients:'.padEnd(width)} ${api.introspection_client_ids.join(', ') || '-'}`,
  );
  out.push(
    `${'client_credentials:'.padEnd(width)} ${api.client_credentials_grants.length === 0 ? '-' : ''}`.trimEnd(),
  );
  for (const grant of api.client_credentials_grants)
    out.push(`  ${grant.client_id}  ${grant.scopes.join(' ') || '(no scopes)'}`);
  out.push(
    `${'role_scopes:'.padEnd(width)} ${api.role_scopes?.length ? '' : '- (every user, every scope)'}`.trimEnd(),
  );
  for (const rule of api.role_scopes ?? [])
    out.push(`  ${rule.role}  ${rule.scopes.join(' ') || '(no scopes)'}`);
  out.push(`${'created:'.padEnd(width)} ${formatTime(api.created_at * 1000)}`);
  out.push(`${'updated:'.padEnd(width)} ${formatTime(api.updated_at * 1000)}`);
  return out;
}

/** `--scope "orders:read Read your orders"`: a scope token has no spaces (RFC 6749 §3.3), so the first space ends the name. */
function parseScope(value: string): { name: string; description: string } {
  const trimmed = value.trim();
  const space = trimmed.indexOf(' ');
  return space === -1
    ? { name: trimmed, description: '' }
    : { name: trimmed.slice(0, space), description: trimmed.slice(space + 1).trim() };
}

/** `--grant "<client_id> scope scope"`: the client id, then the scopes it may get. */
function parseGrant(value: string, usage: string): { client_id: string; scopes: string[] } {
  const [clientId, ...scopes] = value.trim().split(/\s+/);
  if (!clientId)
    throw new UsageError('--grant needs a client id, e.g. --grant "AbC123 orders:read"', usage);
  return { client_id: clientId, scopes };
}

function parseTtl(value: string | undefined, usage: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value))
    throw new UsageError('--ttl must be a whole number of seconds', usage);
  return Number(value);
}

const API_OPTIONS = {
  name: { type: 'string', value: '<name>', description: 'name shown to admins' },
  scope: {
    type: 'string',
    multiple: true,
    value: '"<name> [description]"',
    description:
      'a scope of the API and the text shown on the consent page (the first space ends the name)',
  },
  format: {
    type: 'string',
    value: 'jwt|opaque',
    description:
      'jwt: RFC 9068 tokens the API can verify itself or introspect; opaque: tokens the API must introspect',
    default: 'jwt',
  },
  ttl: {
    type: 'string',
    value: '<seconds>',
    description: 'access-token lifetime',
    default: '300 for jwt, ttl.accessToken or ttl.clientCredentials for opaque',
  },
  alg: {
    type: 'string',
    value: '<alg>',
    description: 'JWT signing algorithm, one of keys.algorithms',
    default: 'ES256',
  },
  'introspection-client': {
    type: 'string',
    multiple: true,
    value: '<client_id>',
    description:
      'a client registered with --resource-server that speaks for the API at the introspection endpoint',
  },
  grant: {
    type: 'string',
    multiple: true,
    value: '"<client_id> [scopes]"',
    description:
      'let a client with the client_credentials grant get tokens for the API, with these of its scopes',
  },
} as const;

const apiAdd = defineCommand({
  name: 'api add',
  summary: 'register an API',
  description: [
    'Registers an API. Clients ask for its tokens with resource=<identifier>; a token\'s "aud" is the identifier and it carries only scopes listed here. Changes reach running servers at once.',
  ],
  options: {
    identifier: {
      type: 'string',
      value: '<uri>',
      description:
        'absolute URI naming the API, e.g. https://api.example.com/orders (RFC 8707; no fragment; compared as an exact string; cannot change)',
      required: true,
    },
    ...API_OPTIONS,
    name: { ...API_OPTIONS.name, required: true },
  },
  json: 'print the API as JSON',
  examples: [
    'portcullis client add --name "Orders API" --grant-type client_credentials --resource-server',
    'portcullis api add --identifier https://api.example.com/orders --name Orders \\\n    --scope "orders:read Read your orders" --scope "orders:write Place orders" \\\n    --introspection-client <client_id of "Orders API">',
  ],
  run: async ({ values, usage }, io) => {
    const identifier = values.identifier ?? '';
    const name = values.name ?? '';

    // Only what was given: the service applies the defaults and every rule, as for the admin API.
    const input: Record<string, unknown> = { identifier, name };
    if (values.scope) input.scopes = values.scope.map(parseScope);
    if (values.format !== undefined) input.token_format = values.format;
    const ttl = parseTtl(values.ttl, usage);
    if (ttl !== undefined) input.access_token_ttl = ttl;
    if (values.alg !== undefined) input.signing_alg = values.alg;
    if (values['introspection-client'])
      input.introspection_client_ids = values['introspection-client'];
    if (values.grant)
      input.client_credentials_grants = values.grant.map((g) => parseGrant(g, usage));

    return withServices(io, values.verbose, async (services) => {
      const api = await openService(services).create(input);
      await audit(services).record(cliActor(), {
        type: 'admin.api.created',
        details: {
          id: api.id,
          identifier: api.identifier.slice(0, 200),
          token_format: api.token_format,
        },
      });
      if (values.json) writeJson(io, api);
      else
        writeLines(
          io,
          `registered API ${JSON.stringify(api.name)}`,
          ...describeApi(api).map((l) => `  ${l}`),
        );
      return EXIT.ok;
    });
  },
});

const apiList = defineCommand({
  name: 'api list',
  summary: 'list APIs',
  description: ['Lists APIs, ordered by identifier, one page at a time.'],
  options: pageOptions('APIs'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);

    return withServices(io, values.verbose, async (services) => {
      const page = await openService(services).list({ cursor: values.cursor, limit });
      return printPage(io, page, values.json, {
        empty: 'no APIs',
        headers: ['ID', 'FORMAT', 'SCOPES', 'IDENTIFIER', 'NAME'],
        row: (a) => [a.id, a.token_format, String(a.scopes.length), a.identifier, a.name],
        command: 'portcullis api list',
      });
    });
  },
});

const apiShow = defineCommand({
  name: 'api show',
  summary: 'show an API (<api>: its id or its identifier)',
  description: ['Shows an API, by id or identifier.'],
  positionals: ['<api>'],
  json: 'print the API as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const api = await openService(services).get(id);
      if (values.json) writeJson(io, api);
      else writeLines(io, ...describeApi(api));
      return EXIT.ok;
    });
  },
});

const apiUpdate = defineCommand({
  name: 'api update',
  summary: "change an API's name, scopes, token format, lifetime or clients",
  description: [
    'Changes an API (by id or identifier). Only the options given change; the result must pass every rule "api add" applies. The identifier never changes: tokens already issued carry it. New tokens follow the change at once; tokens already issued keep their scopes and lifetime.',
  ],
  positionals: ['<api>'],
  options: {
    // As for `api add`, without the defaults: what is not given stays as it is.
    name: API_OPTIONS.name,
    format: { ...API_OPTIONS.format, default: undefined },
    ttl: { ...API_OPTIONS.ttl, default: undefined },
    'default-ttl': { type: 'boolean', description: 'go back to the default lifetime' },
    alg: { ...API_OPTIONS.alg, default: undefined },
    scope: { ...API_OPTIONS.scope, description: 'add a scope, or change its description' },
    'remove-scope': {
      type: 'string',
      multiple: true,
      value: '<name>',
      description: 'remove a scope',
    },
    'introspection-client': {
      ...API_OPTIONS['introspection-client'],
      description: 'add an introspecting client',
    },
    'remove-introspection-client': {
      type: 'string',
      multiple: true,
      value: '<id>',
      description: "remove one; it can no longer introspect this API's tokens",
    },
    grant: { ...API_OPTIONS.grant, description: 'add or replace a client-credentials grant' },
    'revoke-grant': {
      type: 'string',
      multiple: true,
      value: '<client_id>',
      description: "remove a client's grant; it gets no new tokens for the API",
    },
    'role-scope': {
      type: 'string',
      multiple: true,
      value: '"<role> <scope> [scope...]"',
      description:
        "let holders of a role get these of the API's scopes (replaces the role's earlier list); once any role has scopes, users get only what their roles allow",
    },
    'remove-role-scope': {
      type: 'string',
      multiple: true,
      value: '<role>',
      description: "remove a role's scopes (with none left, every user may get every scope again)",
    },
  },
  json: 'print the API as JSON',
  run: async ({ values, positionals: [id = ''], usage }, io) => {
    const ttl = parseTtl(values.ttl, usage);
    if (ttl !== undefined && values['default-ttl'])
      throw new UsageError('--ttl and --default-ttl contradict each other', usage);
    const listChanges = [
      'scope',
      'remove-scope',
      'introspection-client',
      'remove-introspection-client',
      'grant',
      'revoke-grant',
      'role-scope',
      'remove-role-scope',
    ] as const;
    const fieldChanges = [values.name, values.format, ttl, values['default-ttl'], values.alg];
    if (
      fieldChanges.every((v) => v === undefined) &&
      listChanges.every((k) => values[k] === undefined)
    ) {
      throw new UsageError('nothing to change: give the options to set', usage);
    }

    return withServices(io, values.verbose, async (services) => {
      const service = openService(services);
      const current = await service.get(id);
      // Lists are edited here and sent whole: the service checks the result as a whole.
      const patch: Record<string, unknown> = {};
      if (values.name !== undefined) patch.name = values.name;
      if (values.format !== undefined) patch.token_format = values.format;
      if (ttl !== undefined) patch.access_token_ttl = ttl;
      if (values['default-ttl']) patch.access_token_ttl = null;
      if (values.alg !== undefined) patch.signing_alg = values.alg;
      if (values.scope || values['remove-scope']) {
        const scopes = new Map(current.scopes.map((s) => [s.name, s] as const));
        for (const name of values['remove-scope'] ?? []) scopes.delete(name);
        for (const scope of (values.scope ?? []).map(parseScope)) scopes.set(scope.name, scope);
        patch.scopes = [...scopes.values()];
      }
      if (values['introspection-client'] || values['remove-introspection-client']) {
        const removed = new Set(values['remove-introspection-client'] ?? []);
        const kept = current.introspection_client_ids.filter((c) => !removed.has(c));
        patch.introspection_client_ids = [
          ...new Set([...kept, ...(values['introspection-client'] ?? [])]),
        ];
      }
      if (values.grant || values['revoke-grant']) {
        const grants = new Map(
          current.client_credentials_grants.map((g) => [g.client_id, g] as const),
        );
        for (const clientId of values['revoke-grant'] ?? []) grants.delete(clientId);
        for (const grant of (values.grant ?? []).map((g) => parseGrant(g, usage)))
          grants.set(grant.client_id, grant);
        patch.client_credentials_grants = [...grants.values()];
      }
      if (values['role-scope'] || values['remove-role-scope']) {
        const rules = new Map((current.role_scopes ?? []).map((r) => [r.role, r] as const));
        for (const role of values['remove-role-scope'] ?? []) rules.delete(role);
        for (const value of values['role-scope'] ?? []) {
          const [role, ...scopes] = value.trim().split(/\s+/);
          if (!role)
            throw new UsageError(
              '--role-scope needs a role, e.g. --role-scope "orders-reader orders:read"',
              usage,
            );
          rules.set(role, { role, scopes });
        }
        patch.role_scopes = [...rules.values()];
      }
      const change = await service.update(current.id, patch);
      if (change.changed.length > 0) {
        await audit(services).record(cliActor(), {
          type: 'admin.api.updated',
          details: { id: change.api.id, changed: change.changed.join(' ') },
        });
      }
      if (values.json) writeJson(io, change.api);
      else
        writeLines(
          io,
          `updated API ${change.api.id}`,
          ...describeApi(change.api).map((l) => `  ${l}`),
        );
      return EXIT.ok;
    });
  },
});

const apiRemove = defineCommand({
  name: 'api remove',
  summary: 'delete an API; no new tokens for it, its tokens stop introspecting as active',
  description: [
    'Deletes an API (by id or identifier). New token requests for it are refused at once and its tokens introspect as inactive; a JWT already issued still verifies locally until it expires (at most its lifetime, 300 s by default).',
  ],
  positionals: ['<api>'],
  json: 'print {"id": ..., "identifier": ..., "removed": true} as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const service = openService(services);
      const api = await service.get(id);
      await service.remove(api.id);
      await audit(services).record(cliActor(), {
        type: 'admin.api.deleted',
        details: { id: api.id, identifier: api.identifier.slice(0, 200) },
      });
      if (values.json) writeJson(io, { id: api.id, identifier: api.identifier, removed: true });
      else writeLines(io, `removed API ${api.id} (${api.identifier})`);
      return EXIT.ok;
    });
  },
});

export const API_COMMANDS: CommandGroup = {
  name: 'api',
  summary: 'add, list, show, update and remove APIs (resource servers) clients get tokens for',
  description: [
    "APIs (resource servers, RFC 8707) that clients get access tokens for with resource=<identifier>. Such a token's audience is that API alone and it carries only the API's scopes; it is an RFC 9068 JWT the API can verify itself, or an opaque token it introspects (docs/apis.md).",
  ],
  commands: [apiAdd, apiList, apiShow, apiUpdate, apiRemove],
};
