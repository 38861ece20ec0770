/**
 * The account centre's own client (issue 15): `/account` signs the user in through Portcullis
 * itself with the code flow and PKCE, as any app would, so it gets the same sign-in page,
 * brute-force limits, session rules and (later) second factors. A public client, registered in
 * the engine's configuration rather than the store (it is part of the server, not an app an
 * admin manages), with `openid` only and no consent (the user reads their own account).
 * A leaf module: no imports.
 */
export const ACCOUNT_CENTRE_CLIENT_ID = 'portcullis-account';

/** Where the account centre receives the authorization response. */
export const ACCOUNT_CENTRE_CALLBACK_PATH = '/account/callback';

export function accountCentreClient(issuer: string, productName: string): Record<string, unknown> {
  const base = issuer.replace(/\/+$/, '');
  return {
    client_id: ACCOUNT_CENTRE_CLIENT_ID,
    client_name: productName,
    redirect_uris: [`${base}${ACCOUNT_CENTRE_CALLBACK_PATH}`],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'none',
    scope: 'openid',
  };
}
