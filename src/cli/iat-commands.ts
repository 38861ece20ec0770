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

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `3600`, `90s`, `15m`, `1h`, `7d` as seconds (the service checks the range). */
function parseDuration(value: string, usage: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(value.trim());
  if (!match?.[1])
    throw new UsageError(
      '--expires-in must be seconds, or a number with s, m, h or d (e.g. 1h)',
      usage,
    );
  return Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
}

const iatCreate: Command = async (args, io) => {
  const usage = HELP['iat create'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values } = parseCommandArgs(args, usage, [], {
    'expires-in': { type: 'string' },
    'max-uses': { type: 'string' },
    description: { type: 'string' },
  });
  // The same input as POST /admin/v1/initial-access-tokens; the service checks the ranges.
  const input: Record<string, unknown> = {};
  if (values['expires-in'] !== undefined)
    input.expires_in = parseDuration(values['expires-in'], usage);
  if (values['max-uses'] !== undefined) {
    if (!/^\d{1,7}$/.test(values['max-uses']))
      throw new UsageError('--max-uses must be a whole number', usage);
    input.max_uses = Number(values['max-uses']);
  }
  if (values.description !== undefined) input.description = values.description;

  return withServices(io, values.verbose, async (services) => {
    const token = await (
      await openAdminServices(services)
    ).initialAccessTokens.create(input, cliActor());
    if (values.json) writeJson(io, token);
    else
      writeLines(
        io,
        `created initial access token ${token.id}`,
        `  expires:  ${token.expires_at === null ? 'never' : formatTime(token.expires_at * 1000)}`,
        `  max uses: ${token.max_uses ?? 'unlimited'}`,
        `  token:    ${token.initial_access_token}`,
      );
    io.stderr.write(
      'warning: the token is shown only now; hand it over safely (it registers clients at /reg)\n',
    );
    return EXIT.ok;
  });
};

const iatList: Command = async (args, io) => {
  const usage = HELP['iat list'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, limit } = parseListOptions(args, usage);

  return withServices(io, values.verbose, async (services) => {
    const page = await (
      await openAdminServices(services)
    ).initialAccessTokens.list({ cursor: values.cursor, limit });
    return printPage(io, page, values.json, {
      empty: 'no initial access tokens',
      headers: ['ID', 'EXPIRES', 'USES', 'CREATED_BY', 'DESCRIPTION'],
      row: (t) => [
        t.id,
        t.expires_at === null ? 'never' : formatTime(t.expires_at * 1000),
        `${t.uses}/${t.max_uses ?? '-'}`,
        t.created_by ?? '-',
        t.description ?? '',
      ],
      command: 'portcullis iat list',
    });
  });
};

const iatRevoke: Command = async (args, io) => {
  const usage = HELP['iat revoke'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const {
    values,
    positionals: [id = ''],
  } = parseCommandArgs(args, usage, ['<id>']);

  return withServices(io, values.verbose, async (services) => {
    await (await openAdminServices(services)).initialAccessTokens.revoke(id, cliActor());
    if (values.json) writeJson(io, { id, revoked: true });
    else writeLines(io, `revoked initial access token ${id}`);
    return EXIT.ok;
  });
};

export const IAT_COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['create', iatCreate],
  ['list', iatList],
  ['revoke', iatRevoke],
]);
