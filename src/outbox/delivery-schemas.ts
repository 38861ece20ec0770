import { z } from 'zod';

/** Query and answer shapes of the outbox's admin operations (API and CLI). */

export const deliveryQuerySchema = z
  .object({
    state: z.enum(['pending', 'dead']).optional().describe('Only deliveries in this state.'),
    kind: z.enum(['backchannel_logout', 'webhook']).optional(),
    target: z
      .string()
      .max(200)
      .optional()
      .describe('Only deliveries for this client id (logout) or webhook endpoint id.'),
    limit: z
      .string()
      .regex(/^\d{1,6}$/, 'must be a whole number')
      .transform(Number)
      .optional()
      .describe('Page size, clamped to 1..100 (default 50).'),
    cursor: z.string().max(1024, 'is too long').optional(),
  })
  .strict();

export const deliverySchema = z
  .object({
    id: z.string(),
    kind: z.enum(['backchannel_logout', 'webhook']),
    state: z.enum(['pending', 'dead']),
    url: z.string(),
    target: z.string(),
    topic: z.string().describe('The event type (webhooks) or `logout`.'),
    attempts: z.number().int(),
    created_at: z.string().describe('ISO 8601.'),
    next_attempt_at: z
      .string()
      .nullable()
      .describe('When a pending delivery is next tried (ISO 8601); null for a dead letter.'),
    last_attempt_at: z.string().nullable(),
    last_error: z.string().nullable(),
    last_status: z.number().int().nullable(),
  })
  .strict()
  .describe('An outbound delivery; never its body (a logout token is a credential).');

export const deliveryPageSchema = z
  .object({ items: z.array(deliverySchema), next_cursor: z.string().nullable() })
  .strict();
