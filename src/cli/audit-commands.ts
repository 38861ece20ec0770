import type { Command } from './command.ts';
import { HELP } from './help-texts.ts';
import { openAdminServices } from './open-admin-services.ts';
import { wantsHelp } from './parse-command.ts';
import { parseListOptions } from './parse-list-options.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, printHelp } from './write-output.ts';

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
  const { values, limit } = parseListOptions(args, usage, {
    type: { type: 'string' },
    'type-prefix': { type: 'string' },
    'client-id': { type: 'string' },
    subject: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
  });
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
    return printPage(io, page, values.json, {
      empty: 'no events',
      headers: ['TIME', 'TYPE', 'ACTOR', 'CLIENT', 'SUBJECT', 'FROM'],
      row: (e) => [
        formatTime(e.time),
        e.type,
        e.actor ?? '-',
        e.clientId ?? '-',
        e.subject ?? '-',
        e.ip ?? '-',
      ],
      command: 'portcullis audit list',
    });
  });
};

export const AUDIT_COMMANDS: ReadonlyMap<string, Command> = new Map([['list', auditList]]);
