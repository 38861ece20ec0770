import { z } from 'zod';
import { EVENT_PATTERN } from './webhook-events.ts';

/** Input and answer shapes of the webhook endpoints' admin operations (API and CLI). */

const events = z
  .array(
    z
      .string()
      .max(100)
      .regex(EVENT_PATTERN, 'must be an event type, a prefix ending in .* (login.*), or *'),
  )
  .min(1, 'name at least one event type')
  .max(50)
  .describe(
    'Event types sent to the endpoint: exact (`admin.user.created`), a prefix (`login.*`, `admin.client.*`) or `*` for all. The types are listed in docs/webhooks.md.',
  );

const url = z
  .string()
  .max(2000)
  .describe(
    'Where messages are POSTed: an absolute https URL (http is accepted outside production), without credentials or fragment.',
  );

export const webhookCreateSchema = z
  .object({
    url,
    events,
    description: z.string().max(200).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const webhookPatchSchema = z
  .object({
    url: url.optional(),
    events: events.optional(),
    description: z.string().max(200).optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const webhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string(),
    disabled: z.boolean(),
    created_at: z.string().describe('ISO 8601.'),
    updated_at: z.string().describe('ISO 8601.'),
  })
  .strict();

export const createdWebhookSchema = webhookSchema
  .extend({
    secret: z
      .string()
      .describe(
        'The signing secret (`whsec_…`, Standard Webhooks), shown only in this answer; verify `webhook-signature` with it.',
      ),
  })
  .strict();

export const webhookPageSchema = z
  .object({ items: z.array(webhookSchema), next_cursor: z.string().nullable() })
  .strict();
