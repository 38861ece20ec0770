import type { FindAccount } from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import { answerOutageAsOAuth } from './temporarily-unavailable-error.ts';

/**
 * oidc-provider's `findAccount`. It is called at every sign-in, token refresh and userinfo
 * request, so a disabled or deleted user stops getting tokens and claims at once (ASVS 7.4.2):
 * answering `undefined` makes refresh fail with `invalid_grant` and userinfo with `invalid_token`.
 * An unreachable accounts store is an outage, not a missing user: the request answers 503
 * `temporarily_unavailable` (oidc-provider alone would answer 500 `server_error`).
 */
export function createFindAccount(accounts: Pick<AccountService, 'findById'>): FindAccount {
  return async function findAccount(_ctx, sub) {
    const account = await answerOutageAsOAuth(() => accounts.findById(sub));
    if (!account || account.disabled) return undefined;
    return {
      accountId: account.id,
      // oidc-provider keeps only the claims the granted scopes and `claims` parameter allow.
      async claims() {
        return {
          ...account.claims,
          sub: account.id,
          preferred_username: account.username,
          ...(account.email === undefined ? {} : { email: account.email, email_verified: account.emailVerified }),
        };
      },
    };
  };
}
