import { readFileSync } from 'node:fs';
import type { ClientView } from '../clients/client-service.ts';
import { AppError } from '../errors/app-error.ts';
import type { Command } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseCommandArgs } from './parse-command-args.ts';
import { wantsHelp } from './parse-command.ts';
import { parseListOptions } from './parse-list-options.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, printHelp, writeJson, writeLines } from './write-output.ts';

/** `key: value` lines of a client's metadata, lists comma-separated. */
/** The server defaults a client without its own value gets (`oidc.*` in the configuration). */
interface ClientDefaults {
  idTokenSigningAlg: string;
  idTokenClaims: string;
}

function describeClient(client: ClientView & { client_secret?: string }, defaults: ClientDefaults): string[] {
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
  lines.push(['id_token_signed_response_alg', client.id_token_signed_response_alg ?? `${defaults.idTokenSigningAlg} (default)`]);
  if (client.userinfo_signed_response_alg !== undefined) lines.push(['userinfo_signed_response_alg', client.userinfo_signed_response_alg]);
  lines.push(['id_token_claims', client.id_token_claims ?? `${defaults.idTokenClaims} (default)`]);
  if (client.contacts?.length) lines.push(['contacts', client.contacts.join(', ')]);
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
  name: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'post-logout-redirect-uri': { type: 'string', multiple: true },
  'backchannel-logout-uri': { type: 'string' },
  'backchannel-logout-session-required': { type: 'boolean' },
  'grant-type': { type: 'string', multiple: true },
  public: { type: 'boolean' },
  native: { type: 'boolean' },
  'auth-method': { type: 'string' },
  'resource-server': { type: 'boolean' },
  scope: { type: 'string' },
  jwks: { type: 'string' },
  'jwks-uri': { type: 'string' },
  'logo-uri': { type: 'string' },
  'client-uri': { type: 'string' },
  'policy-uri': { type: 'string' },
  'tos-uri': { type: 'string' },
  'id-token-alg': { type: 'string' },
  'userinfo-alg': { type: 'string' },
  'id-token-claims': { type: 'string' },
  contact: { type: 'string', multiple: true },
} as const;

type MetadataValues = {
  name?: string | undefined;
  'redirect-uri'?: string[] | undefined;
  'post-logout-redirect-uri'?: string[] | undefined;
  'backchannel-logout-uri'?: string | undefined;
  'backchannel-logout-session-required'?: boolean | undefined;
  'grant-type'?: string[] | undefined;
  public?: boolean | undefined;
  native?: boolean | undefined;
  'auth-method'?: string | undefined;
  'resource-server'?: boolean | undefined;
  scope?: string | undefined;
  jwks?: string | undefined;
  'jwks-uri'?: string | undefined;
  'logo-uri'?: string | undefined;
  'client-uri'?: string | undefined;
  'policy-uri'?: string | undefined;
  'tos-uri'?: string | undefined;
  'id-token-alg'?: string | undefined;
  'userinfo-alg'?: string | undefined;
  'id-token-claims'?: string | undefined;
  contact?: string[] | undefined;
};

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
  if (values['id-token-alg'] !== undefined) input.id_token_signed_response_alg = values['id-token-alg'];
  if (values['userinfo-alg'] !== undefined) input.userinfo_signed_response_alg = values['userinfo-alg'];
  if (values['id-token-claims'] !== undefined) input.id_token_claims = values['id-token-claims'];
  const contacts = splitList(values.contact);
  if (contacts) input.contacts = contacts;
  return input;
}

function warnSecretShownOnce(io: Parameters<Command>[1], secret: string | undefined): void {
  if (secret !== undefined) {
    io.stderr.write(
      'warning: the client secret is shown only now and cannot be shown again; store it safely (e.g. in a secret manager)\n',
    );
  }
}

const clientAdd: Command = async (args, io) => {
  const usage = HELP['client add'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values } = parseCommandArgs(args, usage, [], METADATA_OPTIONS);
  if (values.name === undefined) throw new UsageError('missing --name <name>', usage);
  const input = metadataFrom(values, usage);

  return withServices(io, values.verbose, async (services) => {
    const admin = await openAdminServices(services);
    const created = await admin.clients.create(input, cliActor());
    if (values.json) writeJson(io, created);
    else
      writeLines(
        io,
        `created client ${JSON.stringify(created.client_name)}`,
        ...describeClient(created, services.config.oidc).map((l) => `  ${l}`),
      );
    warnSecretShownOnce(io, created.client_secret);
    return EXIT.ok;
  });
};

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
]);

const clientUpdate: Command = async (args, io) => {
  const usage = HELP['client update'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [id = ''],
  } = parseCommandArgs(args, usage, ['<client_id>'], {
    ...METADATA_OPTIONS,
    unset: { type: 'string', multiple: true },
    replace: { type: 'boolean' },
  });
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
    else writeLines(io, `updated client ${id}`, ...describeClient(updated, services.config.oidc).map((l) => `  ${l}`));
    warnSecretShownOnce(io, updated.client_secret);
    return EXIT.ok;
  });
};

const clientRotateSecret: Command = async (args, io) => {
  const usage = HELP['client rotate-secret'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [id = ''],
  } = parseCommandArgs(args, usage, ['<client_id>']);

  return withServices(io, values.verbose, async (services) => {
    const rotated = await (await openAdminServices(services)).clients.rotateSecret(id, cliActor());
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
};

const clientReencrypt: Command = async (args, io) => {
  const usage = HELP['client reencrypt'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values } = parseCommandArgs(args, usage, []);

  return withServices(io, values.verbose, async (services) => {
    const result = await services.reencryptClientSecrets();
    if (values.json) writeJson(io, result);
    else
      writeLines(
        io,
        `re-encrypted ${result.reencrypted} of ${result.clients} client secret(s) with the newest key`,
      );
    return EXIT.ok;
  });
};

const clientList: Command = async (args, io) => {
  const usage = HELP['client list'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, limit } = parseListOptions(args, usage);

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
};

const clientShow: Command = async (args, io) => {
  const usage = HELP['client show'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [id = ''],
  } = parseCommandArgs(args, usage, ['<client_id>']);

  return withServices(io, values.verbose, async (services) => {
    const client = await (await openAdminServices(services)).clients.get(id);
    if (values.json) writeJson(io, client);
    else writeLines(io, ...describeClient(client, services.config.oidc));
    return EXIT.ok;
  });
};

const clientRemove: Command = async (args, io) => {
  const usage = HELP['client remove'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [id = ''],
  } = parseCommandArgs(args, usage, ['<client_id>']);

  return withServices(io, values.verbose, async (services) => {
    await (await openAdminServices(services)).clients.remove(id, cliActor());
    if (values.json) writeJson(io, { client_id: id, removed: true });
    else writeLines(io, `removed client ${id}`);
    return EXIT.ok;
  });
};

export const CLIENT_COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['add', clientAdd],
  ['list', clientList],
  ['show', clientShow],
  ['update', clientUpdate],
  ['rotate-secret', clientRotateSecret],
  ['remove', clientRemove],
  ['reencrypt', clientReencrypt],
]);
