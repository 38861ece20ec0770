import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { writeJson, writeLines } from './write-output.ts';

const STATES = ['pending', 'dead'] as const;
const KINDS = ['backchannel_logout', 'webhook'] as const;

const deliveryList = defineCommand({
  name: 'delivery list',
  summary: 'list waiting deliveries and dead letters',
  description: [
    'Lists the outbox: back-channel logout tokens and webhook messages not delivered yet (pending) or given up after their retry budget (dead), oldest first. Bodies are never shown.',
  ],
  options: {
    state: { type: 'string', value: '<state>', description: 'pending or dead' },
    kind: { type: 'string', value: '<kind>', description: 'backchannel_logout or webhook' },
    target: {
      type: 'string',
      value: '<id>',
      description: 'a client id (logout) or webhook endpoint id',
    },
    ...pageOptions('deliveries'),
  },
  json: PAGE_JSON,
  examples: ['portcullis delivery list --state dead'],
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);
    const state = values.state;
    if (state !== undefined && !(STATES as readonly string[]).includes(state))
      throw new UsageError('--state must be pending or dead', usage);
    const kind = values.kind;
    if (kind !== undefined && !(KINDS as readonly string[]).includes(kind))
      throw new UsageError('--kind must be backchannel_logout or webhook', usage);
    return withServices(io, values.verbose, async (services) => {
      const page = await (
        await openAdminServices(services)
      ).deliveries.list(
        {
          state: state as (typeof STATES)[number] | undefined,
          kind: kind as (typeof KINDS)[number] | undefined,
          target: values.target,
        },
        { cursor: values.cursor, limit },
      );
      return printPage(io, page, values.json, {
        empty: 'no deliveries',
        headers: ['ID', 'KIND', 'STATE', 'TARGET', 'TOPIC', 'ATTEMPTS', 'LAST_ERROR'],
        row: (d) => [
          d.id,
          d.kind,
          d.state,
          d.target,
          d.topic,
          String(d.attempts),
          d.last_error ?? '',
        ],
        command: 'portcullis delivery list',
      });
    });
  },
});

const deliveryRetry = defineCommand({
  name: 'delivery retry',
  summary: 'retry a dead letter now',
  description: ['Makes a dead letter pending again, due now, with a fresh retry budget.'],
  positionals: ['<id>'],
  json: 'print the delivery as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const delivery = await (await openAdminServices(services)).deliveries.retry(id, cliActor());
      if (values.json) writeJson(io, delivery);
      else writeLines(io, `delivery ${id} is pending again`);
      return EXIT.ok;
    });
  },
});

const deliveryRemove = defineCommand({
  name: 'delivery remove',
  summary: 'discard a delivery without sending it',
  description: ['Deletes a pending delivery or a dead letter from the outbox.'],
  positionals: ['<id>'],
  json: 'print {"id": ..., "removed": true} as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).deliveries.remove(id, cliActor());
      if (values.json) writeJson(io, { id, removed: true });
      else writeLines(io, `removed delivery ${id}`);
      return EXIT.ok;
    });
  },
});

export const DELIVERY_COMMANDS: CommandGroup = {
  name: 'delivery',
  summary: 'see and retry outbound deliveries (logout tokens, webhooks)',
  description: [
    'The store outbox: every back-channel logout token and webhook message goes through it, retried with backoff by any server process; what used its retry budget is a dead letter.',
  ],
  commands: [deliveryList, deliveryRetry, deliveryRemove],
};
