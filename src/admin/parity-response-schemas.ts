import { z } from 'zod';
import { resourceServerInputSchema } from '../resources/resource-server-input.ts';

/**
 * Answer and request shapes of the admin operations that reached the API with issue 17 (APIs,
 * signing keys), beside admin-response-schemas.ts so the two tables merge without conflict.
 */

export const apiSchema = z
  .object({
    id: z.string(),
    identifier: z.string().describe('The RFC 8707 `resource` URI.'),
    name: z.string(),
    scopes: z.array(z.object({ name: z.string(), description: z.string() }).strict()),
    token_format: z.enum(['opaque', 'jwt']),
    access_token_ttl: z.number().int().optional().describe('Seconds; absent for the default.'),
    signing_alg: z.string(),
    introspection_client_ids: z.array(z.string()),
    client_credentials_grants: z.array(
      z.object({ client_id: z.string(), scopes: z.array(z.string()) }).strict(),
    ),
    created_at: z.number().int().describe('Epoch seconds.'),
    updated_at: z.number().int().describe('Epoch seconds.'),
  })
  .strict();

export const apiPageSchema = z
  .object({ items: z.array(apiSchema), next_cursor: z.string().nullable() })
  .strict();

/** PATCH /apis/{id}: the fields to change, checked with the others as a whole. */
export const apiPatchSchema = resourceServerInputSchema
  .omit({ identifier: true })
  .partial()
  .describe('Fields to change; lists are replaced whole. The identifier never changes.');
