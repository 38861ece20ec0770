import type { AccountView } from '../accounts/account-service.ts';
import type { FactorSummary } from '../mfa/factor-summary.ts';
import { defineCommand } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { cliActor, openAdminServices } from './open-admin-services.ts';
import { UsageError } from './usage-error.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines } from './write-output.ts';

function factorLines(account: AccountView, factors: FactorSummary): string[] {
  const lines = [`second factors of ${account.username} (sub ${account.id}):`];
  const totp =
    factors.totp === 'none'
      ? 'none'
      : `${factors.totp}, added ${formatTime(factors.totpCreatedAt ?? 0)}${
          factors.totpLastUsedAt === undefined
            ? ''
            : `, last used ${formatTime(factors.totpLastUsedAt)}`
        }`;
  lines.push(`  totp:           ${totp}`);
  lines.push(
    `  recovery codes: ${factors.recoveryCodesLeft} unused${factors.recoveryCodesLow ? ' (few left)' : ''}`,
  );
  if (factors.passkeys.length === 0) lines.push('  passkeys:       none');
  for (const key of factors.passkeys) {
    const kind = [
      key.attachment ?? 'unknown attachment',
      key.deviceType === 'multiDevice' ? 'synced' : 'device-bound',
      key.backedUp ? 'backed up' : 'not backed up',
    ].join(', ');
    const used =
      key.lastUsedAt === undefined ? 'never used' : `last used ${formatTime(key.lastUsedAt)}`;
    lines.push(
      `  passkey:        "${key.name}" (${kind}), added ${formatTime(key.createdAt)}, ${used}`,
    );
  }
  return lines;
}

/**
 * `portcullis user mfa list|reset <user>`: one spec (the CLI's nouns take one verb; the action is
 * its first argument). `reset` is the operator's procedure for a user who lost every factor
 * (docs/mfa.md): it removes them all, audited, and the user enrols again at the next sign-in
 * where a client requires it.
 */
export const userMfa = defineCommand({
  name: 'user mfa',
  summary: "list a user's second factors and passkeys, or reset them all",
  description: [
    '"user mfa list <user>" shows what a user holds: TOTP (pending or active), how many recovery codes are unused, and each passkey with its name, kind and when it was added and last used. Never a secret, a code or a key.',
    '"user mfa reset <user>" removes every second factor and passkey of the user, for a user who lost them all. Verify who is asking first (docs/mfa.md). The reset is written to the audit log.',
  ],
  positionals: ['<list|reset>', '<username|email>'],
  json: 'print the factors (list) or the count removed (reset) as JSON',
  run: async ({ values, positionals: [action = '', login = ''], usage }, io) => {
    if (action !== 'list' && action !== 'reset') {
      throw new UsageError(`unknown user mfa action ${JSON.stringify(action)}`, usage);
    }
    return withServices(io, values.verbose, async (services) => {
      const admin = await openAdminServices(services);
      const account = await admin.users.findByLogin(login);
      if (action === 'list') {
        const factors = await admin.userFactors.list(account.id);
        if (values.json) writeJson(io, factors);
        else writeLines(io, ...factorLines(account, factors));
        return EXIT.ok;
      }
      const result = await admin.userFactors.reset(account.id, cliActor());
      if (values.json) writeJson(io, result);
      else
        writeLines(
          io,
          `removed ${result.removed} second factor credential(s) of ${account.username}; they enrol again where a client requires it`,
        );
      return EXIT.ok;
    });
  },
});
