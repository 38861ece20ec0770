import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';

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

const iatCreate = defineCommand({
  name: 'iat create',
  summary: 'create a token (shown once)',
  description: [
    'Creates an initial access token, shown only now. Whoever holds it can register clients at /reg (RFC 7591) until it expires or its uses are spent, and manage each client it registered with the registration access token answered (RFC 7592).',
  ],
  options: {
    'expires-in': {
      type: 'string',
      value: '<time>',
      description: 'lifetime: seconds, or a number with s, m, h or d (at most 30d)',
      default: '1d',
    },
    'max-uses': {
      type: 'string',
      value: '<n>',
      description: 'how many clients it may register',
      default: 'unlimited',
    },
    description: {
      type: 'string',
      value: '<text>',
      description: 'what it is for, shown in listings',
    },
  },
  json: 'print the token and its details as JSON',
  examples: ['portcullis iat create --expires-in 1h --max-uses 1 --description "orders CI"'],
  run: async ({ values, usage }, io) => {
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
  },
});

const iatList = defineCommand({
  name: 'iat list',
  summary: 'list unexpired tokens (never the tokens themselves)',
  description: [
    'Lists unexpired initial access tokens with their uses; the tokens themselves are never shown.',
  ],
  options: pageOptions('tokens'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);

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
  },
});

const iatRevoke = defineCommand({
  name: 'iat revoke',
  summary: 'revoke a token by its id',
  description: [
    'Revokes an initial access token (by the id "iat list" shows): registrations with it fail from now on. Clients it registered stay.',
  ],
  positionals: ['<id>'],
  json: 'print {"id": ..., "revoked": true} as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).initialAccessTokens.revoke(id, cliActor());
      if (values.json) writeJson(io, { id, revoked: true });
      else writeLines(io, `revoked initial access token ${id}`);
      return EXIT.ok;
    });
  },
});

export const IAT_COMMANDS: CommandGroup = {
  name: 'iat',
  summary: 'create, list and revoke initial access tokens (RFC 7591 registration)',
  description: [
    'Initial access tokens let a party register clients itself at the RFC 7591 registration endpoint (/reg), under the same rules as "portcullis client add".',
  ],
  commands: [iatCreate, iatList, iatRevoke],
};
