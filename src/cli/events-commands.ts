import type { Services } from '../open-services.ts';
import type { EventFilter } from '../storage/ports.ts';
import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime } from './write-output.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO 8601 time, or an age such as `30m`, `24h`, `7d` counted back from `now`. */
export function parseSince(
  value: string | undefined,
  now: number,
  usage: string,
): number | undefined {
  if (value === undefined) return undefined;
  const age = /^(\d{1,6})([mhd])$/.exec(value);
  if (age?.[1] !== undefined && age[2] !== undefined)
    return now - Number(age[1]) * (UNIT_MS[age[2]] ?? 0);
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new UsageError(
      '--since must be an ISO 8601 time (2025-01-31T12:00:00Z) or an age such as 30m, 24h or 7d',
      usage,
    );
  return time;
}

/** `--type login.failed` matches that type; `--type login.*` (or `login.`) every `login.` type. */
export function typeFilter(value: string | undefined): Pick<EventFilter, 'type' | 'typePrefix'> {
  if (value === undefined) return {};
  if (value.endsWith('.*')) return { typePrefix: value.slice(0, -1) };
  if (value.endsWith('.')) return { typePrefix: value };
  return { type: value };
}

/** `--user` takes a username, an email or a `sub`; events are stored under the `sub`. */
async function subjectOf(
  services: Services,
  user: string | undefined,
): Promise<string | undefined> {
  if (user === undefined) return undefined;
  const account = user.length <= 254 ? await services.accounts.findByLogin(user) : undefined;
  return account?.id ?? user;
}

function describeDetails(details: Record<string, string | number | boolean> | undefined): string {
  if (!details) return '-';
  return Object.entries(details)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
}

const eventsList = defineCommand({
  name: 'events list',
  summary: 'list security events, newest first',
  description: [
    'Lists security events, newest first: sign-ins and failures, lockouts, logouts, consent, token and grant revocations, refresh-token reuse, failed client authentication, back-channel logout deliveries, and the admin changes of "portcullis audit list" (the same store). Events are kept for events.retentionDays (EVENTS_RETENTION_DAYS). They never hold a password or token.',
  ],
  options: {
    type: {
      type: 'string',
      value: '<type>',
      description: 'only this type (login.failed), or a family (login.*)',
    },
    user: {
      type: 'string',
      value: '<login>',
      description: 'only events about this user: username, email or sub',
    },
    client: { type: 'string', value: '<id>', description: 'only events about this client' },
    since: {
      type: 'string',
      value: '<time>',
      description: 'only at or after this time: ISO 8601, or an age (30m, 24h, 7d)',
    },
    ...pageOptions('events'),
  },
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const requested = parseLimit(values.limit, usage);
    const limit = Math.min(Math.max(requested, 1), 100);

    return withServices(io, values.verbose, async (services) => {
      const filter: EventFilter = {
        ...typeFilter(values.type),
        subject: await subjectOf(services, values.user),
        clientId: values.client,
        since: parseSince(values.since, services.now(), usage),
      };
      // The same store `portcullis audit list` reads: admin changes are listed here too.
      const page = await services.store.events.list(filter, { cursor: values.cursor, limit });
      return printPage(io, page, values.json, {
        empty: 'no events',
        headers: ['TIME', 'TYPE', 'SUBJECT', 'CLIENT', 'IP', 'DETAILS'],
        row: (e) => [
          formatTime(e.time),
          e.type,
          e.subject ?? '-',
          e.clientId ?? '-',
          e.ip ?? '-',
          describeDetails(e.details),
        ],
        command: 'portcullis events list',
      });
    });
  },
});

export const EVENTS_COMMANDS: CommandGroup = {
  name: 'events',
  summary: 'list security events: sign-ins, lockouts, logouts, revocations',
  commands: [eventsList],
};
