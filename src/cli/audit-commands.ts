import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime } from './write-output.ts';

function parseTime(option: string, value: string | undefined, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(`${option} must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z`, usage);
  return time;
}

const auditList = defineCommand({
  name: 'audit list',
  summary: 'list audit events, newest first',
  description: [
    'Lists the audit log, newest first: admin changes (types "admin.*", from the admin API and this CLI, with the admin client or "cli:<user>" as actor), dynamic registrations ("registration.*") and the other security events.',
  ],
  options: {
    type: {
      type: 'string',
      value: '<type>',
      description: 'only this type, e.g. admin.client.created',
    },
    'type-prefix': {
      type: 'string',
      value: '<text>',
      description: 'only types starting with this, e.g. admin.',
    },
    'client-id': { type: 'string', value: '<id>', description: 'only events about this client' },
    subject: { type: 'string', value: '<sub>', description: 'only events about this user' },
    since: {
      type: 'string',
      value: '<time>',
      description: 'only at or after this time (ISO 8601)',
    },
    until: { type: 'string', value: '<time>', description: 'only before this time (ISO 8601)' },
    ...pageOptions('events'),
  },
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
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
  },
});

export const AUDIT_COMMANDS: CommandGroup = {
  name: 'audit',
  summary: 'list the audit log of admin changes and other security events',
  commands: [auditList],
};
