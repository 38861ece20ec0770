import { z } from 'zod';

const epochMillis = z.number().int().describe('Epoch milliseconds.');

/**
 * A user's second factors as the admin API shows them (src/mfa/factor-summary.ts): what they
 * hold and when it was used, never a secret, a recovery-code hash or a public key (issue 14).
 */
export const userFactorsSchema = z
  .object({
    totp: z
      .enum(['none', 'pending', 'active'])
      .describe('`pending`: enrolment started, not confirmed with a code yet.'),
    totpCreatedAt: epochMillis.optional(),
    totpLastUsedAt: epochMillis.optional(),
    recoveryCodesLeft: z.number().int().describe('Unused recovery codes.'),
    recoveryCodesLow: z.boolean().describe('Few unused recovery codes remain.'),
    passkeys: z.array(
      z
        .object({
          id: z.string().describe('The WebAuthn credential id (public).'),
          name: z.string(),
          createdAt: epochMillis,
          lastUsedAt: epochMillis.optional(),
          attachment: z.enum(['platform', 'cross-platform']).optional(),
          backedUp: z.boolean(),
          deviceType: z.enum(['singleDevice', 'multiDevice']),
        })
        .strict(),
    ),
  })
  .strict();

export const userFactorsResetSchema = z
  .object({ removed: z.number().int().describe('How many credentials were removed.') })
  .strict();
