import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountService, AccountView } from '../accounts/account-service.ts';
import {
  ACCOUNT_CENTRE_CALLBACK_PATH,
  ACCOUNT_CENTRE_CLIENT_ID,
} from '../oidc/account-centre-client.ts';

/** The user the account pages act for, and the engine session that signed them in. */
export interface AccountSignedIn {
  account: AccountView;
  /** The engine Session's `uid` (its public handle; the cookie value never leaves the engine). */
  sessionUid: string;
  /** When the user last authenticated (OIDC `auth_time`), epoch seconds. */
  loginTs: number | undefined;
}

interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
}

/** Paths under /account the sign-in may return to; anything else goes to /account. */
const RETURN_PATH = /^\/account(\/[a-z-]{1,32})?$/;

/**
 * How the account pages sign the user in (issue 15 item 4). They are a relying party of
 * Portcullis itself: an unauthenticated visit starts a code flow with PKCE (RFC 7636, S256) for
 * the built-in public client `portcullis-account`, so the user meets the same sign-in page,
 * brute-force limits, session rules and second factors as for any app. At the callback the code
 * is checked against our verifier and the state cookie and then destroyed, not redeemed: the
 * pages need no tokens, because they act on the engine's own session, read from its signed,
 * HttpOnly cookie with `provider.Session.get` on every request. So signing out anywhere (RP
 * logout, "sign out everywhere", a password change) signs the account pages out too, the
 * session's idle and absolute lifetimes apply unchanged, and there is no second session, cookie
 * or token store to keep in step (docs/account.md).
 */
export function createAccountSignIn(deps: {
  provider: () => Provider;
  accounts: Pick<AccountService, 'findById'>;
  issuer: string;
  https: boolean;
}) {
  const base = deps.issuer.replace(/\/+$/, '');
  const cookieName = deps.https ? '__Host-account_signin' : 'account_signin';
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax' as const,
    signed: true,
    // A sign-in page is good for ttl.interaction at most; ten minutes covers a normal one.
    maxAge: 10 * 60 * 1000,
    path: '/',
    overwrite: true,
  };

  return {
    /** The signed-in user, or nothing (no session, a signed-out or deleted or disabled user). */
    async current(ctx: Context): Promise<AccountSignedIn | undefined> {
      const session = await deps.provider().Session.get(ctx as never);
      const accountId = session.accountId;
      if (typeof accountId !== 'string') return undefined;
      const account = await deps.accounts.findById(accountId);
      if (!account || account.disabled) return undefined;
      return { account, sessionUid: session.uid, loginTs: session.loginTs };
    },

    /** Redirects to the authorization endpoint; `returnTo` is a path under /account. */
    start(ctx: Context, returnTo: string, options: { prompt?: 'login' } = {}): void {
      const pending: PendingSignIn = {
        state: randomBytes(16).toString('base64url'),
        verifier: randomBytes(32).toString('base64url'),
        returnTo: RETURN_PATH.test(returnTo) ? returnTo : '/account',
      };
      ctx.cookies.set(cookieName, JSON.stringify(pending), cookieOptions);
      const url = new URL(`${base}/auth`);
      url.searchParams.set('client_id', ACCOUNT_CENTRE_CLIENT_ID);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', 'openid');
      url.searchParams.set('redirect_uri', `${base}${ACCOUNT_CENTRE_CALLBACK_PATH}`);
      url.searchParams.set('state', pending.state);
      url.searchParams.set(
        'code_challenge',
        createHash('sha256').update(pending.verifier).digest('base64url'),
      );
      url.searchParams.set('code_challenge_method', 'S256');
      if (options.prompt) url.searchParams.set('prompt', options.prompt);
      ctx.status = 303;
      ctx.redirect(url.href);
    },

    /**
     * The authorization response. Answers where to go next, or nothing when the response is not
     * the one this browser's pending sign-in expects (no cookie, wrong state, a code that is not
     * ours or not for this user's session).
     */
    async finish(ctx: Context): Promise<string | undefined> {
      const raw = ctx.cookies.get(cookieName, { signed: true });
      ctx.cookies.set(cookieName, null, cookieOptions);
      let pending: PendingSignIn;
      try {
        pending = JSON.parse(raw ?? '') as PendingSignIn;
      } catch {
        return undefined;
      }
      const { state, code } = ctx.query;
      if (typeof state !== 'string' || state !== pending.state) return undefined;
      if (typeof code !== 'string' || code.length > 200) return undefined;
      const provider = deps.provider();
      const found = await provider.AuthorizationCode.find(code);
      if (!found || found.clientId !== ACCOUNT_CENTRE_CLIENT_ID) return undefined;
      // RFC 7636 §4.6, as the token endpoint would check it.
      const challenge = createHash('sha256').update(pending.verifier).digest('base64url');
      const valid =
        found.codeChallenge === challenge &&
        !found.isExpired &&
        !(found as { consumed?: unknown }).consumed;
      // Used up either way: the code is worth nothing to anyone after this.
      await found.destroy();
      if (!valid) return undefined;
      const session = await provider.Session.get(ctx as never);
      if (session.accountId !== found.accountId) return undefined;
      return RETURN_PATH.test(pending.returnTo) ? pending.returnTo : '/account';
    },
  };
}

export type AccountSignIn = ReturnType<typeof createAccountSignIn>;
