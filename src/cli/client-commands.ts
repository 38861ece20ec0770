import { parseArgs } from 'node:util';
import type { ClientView } from '../clients/client-service.ts';
import type { Command } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { openClientService } from './open-client-service.ts';
import {
  COMMON_OPTIONS,
  JSON_OPTION,
  expectPositionals,
  parseLimit,
  parseOrUsage,
  wantsHelp,
} from './parse-command.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, printHelp, writeJson, writeLines, writeTable } from './write-output.ts';

/** `key: value` lines of a client's metadata, lists comma-separated. */
function describeClient(client: ClientView & { client_secret?: string }): string[] {
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
  if (client.scope !== undefined) lines.push(['scope', client.scope]);
  lines.push(['resource_server', client.resource_server ? 'yes' : 'no']);
  for (const key of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] as const) {
    const value = client[key];
    if (value !== undefined) lines.push([key, value]);
  }
  lines.push(['created', formatTime(client.client_id_issued_at * 1000)]);
  if (client.client_secret !== undefined) lines.push(['client_secret', client.client_secret]);
  const width = Math.max(...lines.map(([key]) => key.length)) + 1;
  return lines.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`);
}

/** `--grant-type a --grant-type b` or `--grant-type a,b`. */
function splitList(values: readonly string[] | undefined): string[] | undefined {
  return values?.flatMap((v) => v.split(',').map((s) => s.trim())).filter((s) => s.length > 0);
}

const clientAdd: Command = async (args, io) => {
  const usage = HELP['client add'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        ...JSON_OPTION,
        name: { type: 'string' },
        'redirect-uri': { type: 'string', multiple: true },
        'post-logout-redirect-uri': { type: 'string', multiple: true },
        'grant-type': { type: 'string', multiple: true },
        public: { type: 'boolean' },
        native: { type: 'boolean' },
        'auth-method': { type: 'string' },
        'resource-server': { type: 'boolean' },
        scope: { type: 'string' },
        'logo-uri': { type: 'string' },
        'client-uri': { type: 'string' },
        'policy-uri': { type: 'string' },
        'tos-uri': { type: 'string' },
      },
    }),
  );
  expectPositionals(positionals, [], usage);
  if (values.name === undefined) throw new UsageError('missing --name <name>', usage);
  if (values.public && values['auth-method'] !== undefined && values['auth-method'] !== 'none') {
    throw new UsageError('--public means --auth-method none; give one or the other', usage);
  }

  // Only what was given: the service applies the defaults and every rule, as for the admin API.
  const input: Record<string, unknown> = { client_name: values.name };
  if (values['redirect-uri']) input.redirect_uris = values['redirect-uri'];
  if (values['post-logout-redirect-uri'])
    input.post_logout_redirect_uris = values['post-logout-redirect-uri'];
  const grantTypes = splitList(values['grant-type']);
  if (grantTypes) input.grant_types = grantTypes;
  if (values.public) input.token_endpoint_auth_method = 'none';
  else if (values['auth-method'] !== undefined)
    input.token_endpoint_auth_method = values['auth-method'];
  if (values.native) input.application_type = 'native';
  if (values['resource-server']) input.resource_server = true;
  if (values.scope !== undefined) input.scope = values.scope;
  if (values['logo-uri'] !== undefined) input.logo_uri = values['logo-uri'];
  if (values['client-uri'] !== undefined) input.client_uri = values['client-uri'];
  if (values['policy-uri'] !== undefined) input.policy_uri = values['policy-uri'];
  if (values['tos-uri'] !== undefined) input.tos_uri = values['tos-uri'];

  return withServices(io, values.verbose, async (services) => {
    const clients = await openClientService(services);
    const created = await clients.create(input);
    if (values.json) writeJson(io, created);
    else
      writeLines(
        io,
        `created client ${JSON.stringify(created.client_name)}`,
        ...describeClient(created).map((l) => `  ${l}`),
      );
    if (created.client_secret !== undefined) {
      io.stderr.write(
        'warning: the client secret is shown only now and cannot be shown again; store it safely (e.g. in a secret manager)\n',
      );
    }
    return EXIT.ok;
  });
};

const clientList: Command = async (args, io) => {
  const usage = HELP['client list'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        ...JSON_OPTION,
        limit: { type: 'string' },
        cursor: { type: 'string' },
      },
    }),
  );
  expectPositionals(positionals, [], usage);
  const limit = parseLimit(values.limit, usage);

  return withServices(io, values.verbose, async (services) => {
    const page = await (await openClientService(services)).list({ cursor: values.cursor, limit });
    if (values.json) {
      writeJson(io, { items: page.items, nextCursor: page.nextCursor ?? null });
      return EXIT.ok;
    }
    if (page.items.length === 0) {
      writeLines(io, 'no clients');
      return EXIT.ok;
    }
    writeTable(
      io,
      ['CLIENT_ID', 'TYPE', 'AUTH', 'GRANTS', 'NAME'],
      page.items.map((c) => [
        c.client_id,
        `${c.application_type}${c.resource_server ? ', api' : ''}`,
        c.token_endpoint_auth_method,
        c.grant_types.join(','),
        c.client_name,
      ]),
    );
    if (page.nextCursor)
      writeLines(io, '', `more: portcullis client list --cursor ${page.nextCursor}`);
    return EXIT.ok;
  });
};

const clientShow: Command = async (args, io) => {
  const usage = HELP['client show'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...JSON_OPTION },
    }),
  );
  const [id = ''] = expectPositionals(positionals, ['<client_id>'], usage);

  return withServices(io, values.verbose, async (services) => {
    const client = await (await openClientService(services)).get(id);
    if (values.json) writeJson(io, client);
    else writeLines(io, ...describeClient(client));
    return EXIT.ok;
  });
};

const clientRemove: Command = async (args, io) => {
  const usage = HELP['client remove'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...COMMON_OPTIONS, ...JSON_OPTION },
    }),
  );
  const [id = ''] = expectPositionals(positionals, ['<client_id>'], usage);

  return withServices(io, values.verbose, async (services) => {
    await (await openClientService(services)).remove(id);
    if (values.json) writeJson(io, { client_id: id, removed: true });
    else writeLines(io, `removed client ${id}`);
    return EXIT.ok;
  });
};

export const CLIENT_COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['add', clientAdd],
  ['list', clientList],
  ['show', clientShow],
  ['remove', clientRemove],
]);
