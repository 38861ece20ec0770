import { readFileSync } from 'node:fs';
import type { ClientView } from '../clients/client-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { CliIo } from './cli-io.ts';
import {
  defineCommand,
  pageOptions,
  PAGE_JSON,
  type CommandGroup,
  type OptionValues,
} from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';

/** `key: value` lines of a client's metadata, lists comma-separated. */
/** The server defaults a client without its own value gets (`oidc.*` in the configuration). */
interface ClientDefaults {
  idTokenSigningAlg: string;
  idTokenClaims: string;
  /** `mfa.defaultPolicy`; absent where the caller does not know it. */
  mfa?: string | undefined;
}

function describeClient(
  client: ClientView & { client_secret?: string },
  defaults: ClientDefaults,
): string[] {
  const lines: [string, string][] = [
    ['client_id', client.client_id],
    ['client_name', client.client_name],
    ['application_type', client.application_type],
    ['token_endpoint_auth_method', client.token_endpoint_auth_method],
    ['grant_types', client.grant_types.join(', ')],
    ['redirect_uris', client.redirect_uris.join(', ') || '-'],
  ];
  if (client.post_logout_redirect_uris?.length)
    lines.push(['post_logout_redirect_uris', client.post_logout_redirect_uris.join(', ')]);
  if (client.backchannel_logout_uri !== undefined) {
    lines.push(['backchannel_logout_uri', client.backchannel_logout_uri]);
    lines.push([
      'backchannel_logout_session_required',
      client.backchannel_logout_session_required ? 'yes' : 'no',
    ]);
  }
  if (client.scope !== undefined) lines.push(['scope', client.scope]);
  lines.push(['resource_server', client.resource_server ? 'yes' : 'no']);
  if (client.jwks_uri !== undefined) lines.push(['jwks_uri', client.jwks_uri]);
  if (client.jwks !== undefined) {
    const kids = client.jwks.keys.map((k) => (typeof k.kid === 'string' ? k.kid : String(k.kty)));
    lines.push(['jwks', `${client.jwks.keys.length} key(s): ${kids.join(', ')}`]);
  }
  for (const key of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const) {
    const value = client[key];
    if (value !== undefined) lines.push([key, value]);
  }
  // The algorithm in effect: the client's own, else the server's default (OIDC Registration §2).
  lines.push([
    'id_token_signed_response_alg',
    client.id_token_signed_response_alg ?? `${defaults.idTokenSigningAlg} (default)`,
  ]);
  if (client.userinfo_signed_response_alg !== undefined)
    lines.push(['userinfo_signed_response_alg', client.userinfo_signed_response_alg]);
  lines.push(['id_token_claims', client.id_token_claims ?? `${defaults.idTokenClaims} (default)`]);
  lines.push(['mfa', client.mfa ?? `${defaults.mfa ?? 'optional'} (default)`]);
  if (client.contacts?.length) lines.push(['contacts', client.contacts.join(', ')]);
  if (client.visible_roles?.length) lines.push(['visible_roles', client.visible_roles.join(' ')]);
  if (client.visible_groups?.length)
    lines.push(['visible_groups', client.visible_groups.join(' ')]);
  if (client.claim_mappings?.length)
    lines.push(['claim_mappings', JSON.stringify(client.claim_mappings)]);
  lines.push(['created', formatTime(client.client_id_issued_at * 1000)]);
  if (client.client_secret !== undefined) lines.push(['client_secret', client.client_secret]);
  const width = Math.max(...lines.map(([key]) => key.length)) + 1;
  return lines.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`);
}

/** `--grant-type a --grant-type b` or `--grant-type a,b`. */
function splitList(values: readonly string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',').map((s) => s.trim())).filter((s) => s.length > 0);
}

/** The options `client add` and `client update` share: one per metadata field. */
const METADATA_OPTIONS = {
  name: { type: 'string', value: '<name>', description: 'name shown to users on the consent page' },
  'redirect-uri': {
    type: 'string',
    multiple: true,
    value: '<uri>',
    description: 'where users return after signing in (required with the authorization_code grant)',
  },
  'post-logout-redirect-uri': {
    type: 'string',
    multiple: true,
    value: '<uri>',
    description: 'where users may return after signing out',
  },
  'backchannel-logout-uri': {
    type: 'string',
    value: '<uri>',
    description:
      'where logout tokens are POSTed when a user signs out (OIDC Back-Channel Logout; https, or http on loopback outside production; no fragment)',
  },
  'backchannel-logout-session-required': {
    type: 'boolean',
    description: 'every logout token carries the session id (sid)',
  },
  'grant-type': {
    type: 'string',
    multiple: true,
    value: '<type>',
    description: 'authorization_code, refresh_token or client_credentials',
    default: 'authorization_code refresh_token',
  },
  public: { type: 'boolean', description: 'a public client with no secret (browser apps; PKCE)' },
  native: {
    type: 'boolean',
    description:
      'a native app (RFC 8252): public, loopback http or private-use scheme redirect URIs allowed',
  },
  'auth-method': {
    type: 'string',
    value: '<method>',
    description: 'client_secret_basic, client_secret_post, private_key_jwt or none',
    default: 'client_secret_basic',
  },
  'resource-server': {
    type: 'boolean',
    description: 'an API allowed to call the introspection endpoint',
  },
  scope: {
    type: 'string',
    value: '"<scopes>"',
    description:
      'scopes the client may request, e.g. "openid profile"; "admin" (the admin API) only with client_credentials alone',
  },
  jwks: {
    type: 'string',
    value: '<file>',
    description: 'JWK set file with the public keys of a private_key_jwt client',
  },
  'jwks-uri': {
    type: 'string',
    value: '<uri>',
    description: 'https URL of that JWK set (instead of --jwks)',
  },
  'logo-uri': {
    type: 'string',
    value: '<uri>',
    description: 'https link to a logo shown on the consent page',
  },
  'client-uri': {
    type: 'string',
    value: '<uri>',
    description: "https link to the client's home page, shown on the consent page",
  },
  'policy-uri': {
    type: 'string',
    value: '<uri>',
    description: 'https link to its privacy policy, shown on the consent page',
  },
  'tos-uri': {
    type: 'string',
    value: '<uri>',
    description: 'https link to its terms of service, shown on the consent page',
  },
  'id-token-alg': {
    type: 'string',
    value: '<alg>',
    description: 'ID token signing algorithm: one of KEY_ALGORITHMS',
    default: 'RS256, the OpenID Connect default',
  },
  'userinfo-alg': {
    type: 'string',
    value: '<alg>',
    description: 'answer UserInfo as a JWT signed with <alg>',
    default: 'plain JSON',
  },
  mfa: {
    type: 'string',
    value: '<none|optional|required>',
    description:
      'second factors at sign-in: none, optional (users who enrolled one), required (everyone)',
    default: 'mfa.defaultPolicy',
  },
  'id-token-claims': {
    type: 'string',
    value: '<scopes|userinfo>',
    description:
      'claims of the granted scopes in the ID token (scopes), or only from UserInfo (userinfo)',
  },
  'visible-roles': {
    type: 'string',
    multiple: true,
    value: '<name|prefix*>',
    description:
      'roles the client may learn in "roles" claims (repeatable or comma-separated; * for all)',
    default: 'none',
  },
  'visible-groups': {
    type: 'string',
    multiple: true,
    value: '<name|prefix*>',
    description: 'groups the client may learn in "groups" claims (as --visible-roles)',
    default: 'none',
  },
  'claim-mappings': {
    type: 'string',
    value: '<json>',
    description:
      'the claim mapping table, e.g. \'[{"claim":"mail","from":"email"},{"claim":"department","attribute":"department"}]\'',
  },
  contact: {
    type: 'string',
    multiple: true,
    value: '<email>',
    description: 'who is responsible for the client',
  },
} as const;

type MetadataValues = OptionValues<typeof METADATA_OPTIONS>;

/** A JWK set from a file (the public keys of a private_key_jwt client). */
function readJwks(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AppError('invalid_client_metadata', {
      jwks: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError('invalid_client_metadata', { jwks: `${path} is not valid JSON` });
  }
}

/**
 * Client metadata from the options given, and only those: the service applies the defaults and
 * every rule, exactly as for the admin API.
 */
function metadataFrom(values: MetadataValues, usage: string): Record<string, unknown> {
  if (values.public && values['auth-method'] !== undefined && values['auth-method'] !== 'none') {
    throw new UsageError('--public means --auth-method none; give one or the other', usage);
  }
  const input: Record<string, unknown> = {};
  if (values.name !== undefined) input.client_name = values.name;
  if (values['redirect-uri']) input.redirect_uris = values['redirect-uri'];
  if (values['post-logout-redirect-uri'])
    input.post_logout_redirect_uris = values['post-logout-redirect-uri'];
  if (values['backchannel-logout-uri'] !== undefined)
    input.backchannel_logout_uri = values['backchannel-logout-uri'];
  if (values['backchannel-logout-session-required'])
    input.backchannel_logout_session_required = true;
  const grantTypes = splitList(values['grant-type']);
  if (grantTypes) input.grant_types = grantTypes;
  if (values.public) input.token_endpoint_auth_method = 'none';
  else if (values['auth-method'] !== undefined)
    input.token_endpoint_auth_method = values['auth-method'];
  if (values.native) input.application_type = 'native';
  if (values['resource-server']) input.resource_server = true;
  if (values.scope !== undefined) input.scope = values.scope;
  if (values.jwks !== undefined) input.jwks = readJwks(values.jwks);
  if (values['jwks-uri'] !== undefined) input.jwks_uri = values['jwks-uri'];
  if (values['logo-uri'] !== undefined) input.logo_uri = values['logo-uri'];
  if (values['client-uri'] !== undefined) input.client_uri = values['client-uri'];
  if (values['policy-uri'] !== undefined) input.policy_uri = values['policy-uri'];
  if (values['tos-uri'] !== undefined) input.tos_uri = values['tos-uri'];
  if (values['id-token-alg'] !== undefined)
    input.id_token_signed_response_alg = values['id-token-alg'];
  if (values['userinfo-alg'] !== undefined)
    input.userinfo_signed_response_alg = values['userinfo-alg'];
  if (values['id-token-claims'] !== undefined) input.id_token_claims = values['id-token-claims'];
  if (values.mfa !== undefined) input.mfa = values.mfa;
  const contacts = splitList(values.contact);
  if (contacts) input.contacts = contacts;
  const visibleRoles = splitList(values['visible-roles']);
  if (visibleRoles) input.visible_roles = visibleRoles;
  const visibleGroups = splitList(values['visible-groups']);
  if (visibleGroups) input.visible_groups = visibleGroups;
  if (values['claim-mappings'] !== undefined) {
    try {
      input.claim_mappings = JSON.parse(values['claim-mappings']) as unknown;
    } catch {
      throw new AppError('invalid_client_metadata', { claim_mappings: 'must be JSON' });
    }
  }
  return input;
}

function warnSecretShownOnce(io: CliIo, secret: string | undefined): void {
  if (secret !== undefined) {
    io.stderr.write(
      'warning: the client secret is shown only now and cannot be shown again; store it safely (e.g. in a secret manager)\n',
    );
  }
}

const clientAdd = defineCommand({
  name: 'client add',
  summary: 'register a client (an application that signs users in, or an API)',
  description: [
    'Registers a client. Its client_id and client_secret are generated, and the secret is shown only now: store it safely, it cannot be shown again.',
  ],
  options: { ...METADATA_OPTIONS, name: { ...METADATA_OPTIONS.name, required: true } },
  json: 'print the client (and its secret) as JSON',
  examples: [
    'portcullis client add --name "My app" --redirect-uri https://app.example.com/callback',
    'portcullis client add --name CLI --native --redirect-uri http://127.0.0.1/callback',
    'portcullis client add --name "Orders API" --grant-type client_credentials --resource-server',
    'portcullis client add --name ops --grant-type client_credentials --scope admin',
  ],
  run: async ({ values, usage }, io) => {
    const input = metadataFrom(values, usage);

    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const created = await admin.clients.create(input, cliActor());
      if (values.json) writeJson(io, created);
      else
        writeLines(
          io,
          `created client ${JSON.stringify(created.client_name)}`,
          ...describeClient(created, {
            ...services.config.oidc,
            mfa: services.config.mfa.defaultPolicy,
          }).map((l) => `  ${l}`),
        );
      warnSecretShownOnce(io, created.client_secret);
      return EXIT.ok;
    });
  },
});

/** Fields `--unset` may name: the optional ones (client_name is required). */
const UNSETTABLE = new Set([
  'redirect_uris',
  'post_logout_redirect_uris',
  'backchannel_logout_uri',
  'backchannel_logout_session_required',
  'grant_types',
  'token_endpoint_auth_method',
  'application_type',
  'scope',
  'resource_server',
  'jwks',
  'jwks_uri',
  'logo_uri',
  'client_uri',
  'policy_uri',
  'tos_uri',
  'contacts',
  'id_token_signed_response_alg',
  'userinfo_signed_response_alg',
  'id_token_claims',
  'visible_roles',
  'visible_groups',
  'claim_mappings',
  'mfa',
]);

const clientUpdate = defineCommand({
  name: 'client update',
  summary: "change a client's metadata (same rules as add)",
  description: [
    'Changes a client\'s metadata. Only the options given change (the admin API\'s PATCH); with --replace the options given are the whole metadata and anything left out takes its default (PUT). The result must pass every rule "client add" applies. If the change gives the client a secret it did not have (e.g. --auth-method client_secret_basic), it is shown only now.',
  ],
  positionals: ['<client_id>'],
  options: {
    ...METADATA_OPTIONS,
    unset: {
      type: 'string',
      multiple: true,
      value: '<field>',
      description: 'remove an optional field, e.g. --unset logo_uri',
    },
    replace: { type: 'boolean', description: 'replace the whole metadata (needs --name)' },
  },
  json: 'print the client as JSON',
  examples: [
    'portcullis client update AbC123 --redirect-uri https://app.example.com/cb --unset logo_uri',
    'portcullis client update AbC123 --backchannel-logout-uri https://app.example.com/logout',
    'portcullis client update AbC123 --replace --name "Orders API" --grant-type client_credentials',
  ],
  run: async ({ values, positionals: [id = ''], usage }, io) => {
    const input = metadataFrom(values, usage);
    const unset = splitList(values.unset) ?? [];
    for (const field of unset) {
      if (!UNSETTABLE.has(field))
        throw new UsageError(
          `--unset: ${JSON.stringify(field)} is not a field that can be removed`,
          usage,
        );
      if (field in input)
        throw new UsageError(`--unset ${field} contradicts the option that sets it`, usage);
    }
    if (values.replace && unset.length > 0)
      throw new UsageError('--replace leaves out what is not given; --unset is not needed', usage);
    if (!values.replace && Object.keys(input).length === 0 && unset.length === 0) {
      throw new UsageError('nothing to change: give the options to set, or --unset <field>', usage);
    }
    if (values.replace && values.name === undefined)
      throw new UsageError('--replace needs --name <name>', usage);

    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const who = cliActor();
      const updated = values.replace
        ? await admin.clients.replace(id, input, who)
        : await admin.clients.update(
            id,
            { ...input, ...Object.fromEntries(unset.map((f) => [f, null])) },
            who,
          );
      if (values.json) writeJson(io, updated);
      else
        writeLines(
          io,
          `updated client ${id}`,
          ...describeClient(updated, {
            ...services.config.oidc,
            mfa: services.config.mfa.defaultPolicy,
          }).map((l) => `  ${l}`),
        );
      warnSecretShownOnce(io, updated.client_secret);
      return EXIT.ok;
    });
  },
});

const clientRotateSecret = defineCommand({
  name: 'client rotate-secret',
  summary: 'give a client a new secret; the old one stops working at once',
  description: [
    'Gives a client a new secret, shown only now; the old one stops working at once. Only for clients that authenticate with a secret (client_secret_basic or client_secret_post).',
  ],
  positionals: ['<client_id>'],
  json: 'print {"client_id": ..., "client_secret": ...} as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const rotated = await (
        await openAdminServices(services)
      ).clients.rotateSecret(id, cliActor());
      if (values.json)
        writeJson(io, { client_id: rotated.client_id, client_secret: rotated.client_secret });
      else
        writeLines(
          io,
          `new secret for client ${id}`,
          `  client_secret: ${rotated.client_secret ?? ''}`,
        );
      io.stderr.write('warning: the old secret stopped working; the new one is shown only now\n');
      return EXIT.ok;
    });
  },
});

const clientReencrypt = defineCommand({
  name: 'client reencrypt',
  summary: 're-encrypt every stored client secret with the newest key',
  description: [
    'Client secrets are stored encrypted (AES-256-GCM) with the first key of CLIENT_SECRET_KEYS. To rotate that key: put a new key first in CLIENT_SECRET_KEYS (keep the old ones after it), restart the servers, run this command (or POST /admin/v1/clients/reencrypt), then remove the old keys. Secrets stored before encryption are encrypted too. Recorded in the audit log (admin.clients.reencrypted).',
  ],
  json: 'print {"clients": ..., "reencrypted": ...} as JSON',
  run: async ({ values }, io) => {
    return withServices(io, values.verbose, async (services) => {
      // The admin API's operation (POST /clients/reencrypt): the same work and audit entry.
      const result = await (await openAdminServices(services)).clients.reencrypt(cliActor());
      if (values.json) writeJson(io, result);
      else
        writeLines(
          io,
          `re-encrypted ${result.reencrypted} of ${result.clients} client secret(s) with the newest key`,
        );
      return EXIT.ok;
    });
  },
});

const clientList = defineCommand({
  name: 'client list',
  summary: 'list clients',
  description: [
    'Lists clients, ordered by client_id, one page at a time. Secrets are never shown.',
  ],
  options: pageOptions('clients'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);

    return withServices(io, values.verbose, async (services) => {
      const page = await (
        await openAdminServices(services)
      ).clients.list({ cursor: values.cursor, limit });
      return printPage(io, page, values.json, {
        empty: 'no clients',
        headers: ['CLIENT_ID', 'TYPE', 'AUTH', 'GRANTS', 'NAME'],
        row: (c) => [
          c.client_id,
          `${c.application_type}${c.resource_server ? ', api' : ''}`,
          c.token_endpoint_auth_method,
          c.grant_types.join(','),
          c.client_name,
        ],
        command: 'portcullis client list',
      });
    });
  },
});

const clientShow = defineCommand({
  name: 'client show',
  summary: "show a client's metadata (never its secret)",
  description: ["Shows a client's metadata. The secret is never shown."],
  positionals: ['<client_id>'],
  json: 'print the metadata as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const client = await (await openAdminServices(services)).clients.get(id);
      if (values.json) writeJson(io, client);
      else
        writeLines(
          io,
          ...describeClient(client, {
            ...services.config.oidc,
            mfa: services.config.mfa.defaultPolicy,
          }),
        );
      return EXIT.ok;
    });
  },
});

const clientRemove = defineCommand({
  name: 'client remove',
  summary: 'delete a client; its tokens stop working at once',
  description: [
    'Deletes a client. Its sign-ins, tokens and client authentication stop working at once.',
  ],
  positionals: ['<client_id>'],
  json: 'print {"client_id": ..., "removed": true} as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).clients.remove(id, cliActor());
      if (values.json) writeJson(io, { client_id: id, removed: true });
      else writeLines(io, `removed client ${id}`);
      return EXIT.ok;
    });
  },
});

export const CLIENT_COMMANDS: CommandGroup = {
  name: 'client',
  summary: 'add, list, show, update and remove clients (applications and APIs), rotate secrets',
  commands: [
    clientAdd,
    clientList,
    clientShow,
    clientUpdate,
    clientRotateSecret,
    clientRemove,
    clientReencrypt,
  ],
};
