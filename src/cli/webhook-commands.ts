import { defineCommand, pageOptions, PAGE_JSON, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { parseLimit } from './parse-command.ts';
import { printPage } from './print-page.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { writeJson, writeLines } from './write-output.ts';

const SECRET_WARNING =
  'warning: the secret is shown only now; give it to the receiver to verify webhook-signature\n';

const webhookAdd = defineCommand({
  name: 'webhook add',
  summary: 'register an endpoint (its secret is shown once)',
  description: [
    'Registers a webhook endpoint: Portcullis POSTs each event of the listed types to the URL, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) with the secret shown now. Retried with backoff; see docs/webhooks.md.',
  ],
  positionals: ['<url>'],
  options: {
    event: {
      type: 'string',
      multiple: true,
      value: '<type>',
      description:
        'an event type to send (repeatable): exact (admin.user.created), a prefix (login.*) or *',
      required: true,
    },
    description: { type: 'string', value: '<text>', description: 'what it is for' },
    disabled: { type: 'boolean', description: 'register it disabled (nothing is sent)' },
  },
  json: 'print the endpoint and its secret as JSON',
  examples: [
    'portcullis webhook add https://crm.example.com/hooks --event "admin.user.*" --event login.locked',
  ],
  run: async ({ values, positionals: [url = ''] }, io) => {
    const input = {
      url,
      events: values.event ?? [],
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values.disabled ? { disabled: true } : {}),
    };
    return withServices(io, values.verbose, async (services) => {
      const created = await (await openAdminServices(services)).webhooks.create(input, cliActor());
      if (values.json) writeJson(io, created);
      else
        writeLines(
          io,
          `registered webhook endpoint ${created.id}`,
          `  url:    ${created.url}`,
          `  events: ${created.events.join(' ')}`,
          `  secret: ${created.secret}`,
        );
      io.stderr.write(SECRET_WARNING);
      return EXIT.ok;
    });
  },
});

const webhookList = defineCommand({
  name: 'webhook list',
  summary: 'list endpoints (never their secrets)',
  description: ['Lists webhook endpoints with their event types.'],
  options: pageOptions('endpoints'),
  json: PAGE_JSON,
  run: async ({ values, usage }, io) => {
    const limit = parseLimit(values.limit, usage);
    return withServices(io, values.verbose, async (services) => {
      const page = await (
        await openAdminServices(services)
      ).webhooks.list({ cursor: values.cursor, limit });
      return printPage(io, page, values.json, {
        empty: 'no webhook endpoints',
        headers: ['ID', 'URL', 'EVENTS', 'STATE', 'DESCRIPTION'],
        row: (w) => [
          w.id,
          w.url,
          w.events.join(' '),
          w.disabled ? 'disabled' : 'enabled',
          w.description,
        ],
        command: 'portcullis webhook list',
      });
    });
  },
});

const webhookUpdate = defineCommand({
  name: 'webhook update',
  summary: "change an endpoint's URL, events or state",
  description: ['Changes what is given; --event replaces the whole list of event types.'],
  positionals: ['<id>'],
  options: {
    url: { type: 'string', value: '<url>', description: 'a new URL' },
    event: {
      type: 'string',
      multiple: true,
      value: '<type>',
      description: 'the event types (repeatable), replacing the current ones',
    },
    description: { type: 'string', value: '<text>', description: 'a new description' },
    disable: { type: 'boolean', description: 'stop sending to it' },
    enable: { type: 'boolean', description: 'send to it again' },
  },
  json: 'print the endpoint as JSON',
  run: async ({ values, usage, positionals: [id = ''] }, io) => {
    if (values.disable && values.enable)
      throw new UsageError('give --disable or --enable, not both', usage);
    const input = {
      ...(values.url === undefined ? {} : { url: values.url }),
      ...(values.event === undefined ? {} : { events: values.event }),
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values.disable ? { disabled: true } : {}),
      ...(values.enable ? { disabled: false } : {}),
    };
    if (Object.keys(input).length === 0) throw new UsageError('nothing to change', usage);
    return withServices(io, values.verbose, async (services) => {
      const updated = await (
        await openAdminServices(services)
      ).webhooks.update(id, input, cliActor());
      if (values.json) writeJson(io, updated);
      else writeLines(io, `updated webhook endpoint ${updated.id}`);
      return EXIT.ok;
    });
  },
});

const webhookRotate = defineCommand({
  name: 'webhook rotate-secret',
  summary: 'give an endpoint a new secret (shown once)',
  description: [
    'Replaces the signing secret: messages are signed with the new one from now on, retries of older messages included.',
  ],
  positionals: ['<id>'],
  json: 'print the endpoint and its new secret as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const rotated = await (
        await openAdminServices(services)
      ).webhooks.rotateSecret(id, cliActor());
      if (values.json) writeJson(io, rotated);
      else writeLines(io, `new secret for ${rotated.id}: ${rotated.secret}`);
      io.stderr.write(SECRET_WARNING);
      return EXIT.ok;
    });
  },
});

const webhookRemove = defineCommand({
  name: 'webhook remove',
  summary: 'delete an endpoint',
  description: ['Deletes the endpoint; its undelivered messages become dead letters.'],
  positionals: ['<id>'],
  json: 'print {"id": ..., "removed": true} as JSON',
  run: async ({ values, positionals: [id = ''] }, io) => {
    return withServices(io, values.verbose, async (services) => {
      await (await openAdminServices(services)).webhooks.remove(id, cliActor());
      if (values.json) writeJson(io, { id, removed: true });
      else writeLines(io, `removed webhook endpoint ${id}`);
      return EXIT.ok;
    });
  },
});

export const WEBHOOK_COMMANDS: CommandGroup = {
  name: 'webhook',
  summary: 'register, list, change and remove webhook endpoints',
  description: [
    'Webhook endpoints receive security and admin events as signed POSTs (Standard Webhooks), through the store outbox.',
  ],
  commands: [webhookAdd, webhookList, webhookUpdate, webhookRotate, webhookRemove],
};
