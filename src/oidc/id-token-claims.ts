/**
 * Which claims an ID token carries, per client (`id_token_claims` metadata) or by default
 * (`oidc.idTokenClaims`):
 * - `scopes`: the claims of the granted scopes, as Keycloak and Google issue them and as the
 *   usual code in authlib's and go-oidc's documentation reads them (`email` from the ID token);
 * - `userinfo`: `sub` and the protocol claims only, the rest from the UserInfo endpoint (OIDC
 *   Core §5.4 for tokens issued with an access token), for clients that keep ID tokens small.
 */
export type IdTokenClaimsMode = 'scopes' | 'userinfo';

export const ID_TOKEN_CLAIMS_MODES = [
  'scopes',
  'userinfo',
] as const satisfies readonly IdTokenClaimsMode[];

/** Client metadata name (a Portcullis extension; RFC 7591 §2 lets servers define their own). */
export const ID_TOKEN_CLAIMS_METADATA = 'id_token_claims';
