import type { Provider } from 'oidc-provider';

/** What oidc-provider's Client has (lib/models/client.js) and its type declarations omit. */
interface LogoutCapableClient {
  clientId: string;
  backchannelLogoutUri?: string | undefined;
  backchannelLogoutSessionRequired?: boolean | undefined;
}

/** A signed logout token and where it goes. */
export interface IssuedLogoutToken {
  url: string;
  token: string;
}

export type IssueLogoutToken = (intent: {
  clientId: string;
  sub: string;
  sid: string;
  jti: string;
}) => Promise<IssuedLogoutToken | undefined>;

/**
 * Signs a back-channel logout token (OIDC Back-Channel Logout 1.0 §2.4) the way oidc-provider's
 * `Client#backchannelLogout` does (lib/models/client.js: an IdToken with `sub` unmasked, the
 * logout event, `sid` when the client requires it, issued for use `logout`), but without sending
 * it: the outbox sends it, and retries it. Two differences, both on purpose: `jti` is the
 * outbox delivery's id, the same on every retry, so a receiver dedupes retries (§2.6 "jti"); and
 * the token is signed anew at each attempt, so a retried one is never expired. `undefined` when
 * the client is gone or no longer has a back-channel logout URI (nobody to tell).
 */
export function createLogoutTokenIssuer(provider: () => Provider): IssueLogoutToken {
  return async function issueLogoutToken({ clientId, sub, sid, jti }) {
    const engine = provider();
    const client = (await engine.Client.find(clientId)) as unknown as
      LogoutCapableClient | undefined;
    if (!client?.backchannelLogoutUri) return undefined;
    const token = new engine.IdToken(
      { sub },
      {
        client: client as unknown as NonNullable<
          ConstructorParameters<typeof engine.IdToken>[1]
        >['client'],
      },
    );
    // lib/models/client.js: `sub` is a claim of the token itself, never masked by scope.
    (token as unknown as { mask: Record<string, null> }).mask = { sub: null };
    token.set('events', { 'http://schemas.openid.net/event/backchannel-logout': {} });
    token.set('jti', jti);
    if (client.backchannelLogoutSessionRequired) token.set('sid', sid);
    return {
      url: new URL(client.backchannelLogoutUri).href,
      token: await token.issue({ use: 'logout' }),
    };
  };
}
