import { parseArgs } from 'node:util';
import type { Command } from './command.ts';
import { EXIT } from './exit-codes.ts';
import { HELP } from './help-texts.ts';
import { openAdminServices } from './open-admin-services.ts';
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

function parseTime(option: string, value: string | undefined, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(`${option} must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z`, usage);
  return time;
}

const auditList: Command = async (args, io) => {
  const usage = HELP['audit list'];
  if (wantsHelp(args)) return printHelp(io, usage);
  const { values, positionals } = parseOrUsage(usage, () =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...COMMON_OPTIONS,
        ...JSON_OPTION,
        type: { type: 'string' },
        'type-prefix': { type: 'string' },
        'client-id': { type: 'string' },
        subject: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        limit: { type: 'string' },
        cursor: { type: 'string' },
      },
    }),
  );
  expectPositionals(positionals, [], usage);
  const limit = parseLimit(values.limit, usage);
  const filter = {
    type: values.type,
    typePrefix: values['type-prefix'],
    clientId: values['client-id'],
    subject: values.subject,
    since: parseTime('--since', values.since, usage),
    until: parseTime('--until', values.until, usage),
  };

  return withServices(io, values.verbose, async (services) => {
    const page = await (
      await openAdminServices(services)
    ).audit.list(filter, {
      cursor: values.cursor,
      limit: Math.min(Math.max(limit, 1), 100),
    });
    if (values.json) {
      writeJson(io, { items: page.items, nextCursor: page.nextCursor ?? null });
      return EXIT.ok;
    }
    if (page.items.length === 0) {
      writeLines(io, 'no events');
      return EXIT.ok;
    }
    writeTable(
      io,
      ['TIME', 'TYPE', 'ACTOR', 'CLIENT', 'SUBJECT', 'FROM'],
      page.items.map((e) => [
        formatTime(e.time),
        e.type,
        e.actor ?? '-',
        e.clientId ?? '-',
        e.subject ?? '-',
        e.ip ?? '-',
      ]),
    );
    if (page.nextCursor)
      writeLines(io, '', `more: portcullis audit list --cursor ${page.nextCursor}`);
    return EXIT.ok;
  });
};

export const AUDIT_COMMANDS: ReadonlyMap<string, Command> = new Map([['list', auditList]]);
