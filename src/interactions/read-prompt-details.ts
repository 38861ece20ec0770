import { z } from 'zod';

/**
 * What oidc-provider 9 says the consent prompt is missing (lib/helpers/interaction_policy/
 * prompts/consent.js): each field is present only when something is missing. The library types
 * `prompt.details` as an open object, so it is read here, once, against this shape; a library
 * change that broke it fails the request loudly instead of granting something else.
 */
const promptDetails = z.object({
  /** Requested OpenID Connect scopes not yet granted. */
  missingOIDCScope: z.array(z.string()).optional(),
  /** Requested claims not yet granted. */
  missingOIDCClaims: z.array(z.string()).optional(),
  /** Requested API scopes not yet granted, per resource indicator (RFC 8707). */
  missingResourceScopes: z.record(z.string(), z.array(z.string())).optional(),
});

export type PromptDetails = z.infer<typeof promptDetails>;

export function readPromptDetails(details: unknown): PromptDetails {
  return promptDetails.parse(details);
}
