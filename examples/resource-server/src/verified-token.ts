/** What the API knows about a caller once its access token checked out, whichever way. */
export interface VerifiedToken {
  /** The user (or, for client credentials, the client) the token speaks for. */
  subject: string | undefined;
  clientId: string;
  scopes: ReadonlySet<string>;
  /** The user's roles, as Portcullis puts them in the token's `roles` claim (docs/rbac.md). */
  roles: ReadonlySet<string>;
  /** Epoch seconds. */
  expiresAt: number;
  /** RFC 9449 §6: the thumbprint of the DPoP key the token is bound to, if it is. */
  jkt: string | undefined;
  /** Which check accepted it. */
  via: 'introspection' | 'jwt';
}

/** Verifies a presented access token: the token's facts, or `undefined` when it is not good. */
export type TokenVerifier = (token: string) => Promise<VerifiedToken | undefined>;

/** `aud` names this API (a string, or an array holding it). */
export function audienceIncludes(aud: unknown, identifier: string): boolean {
  return aud === identifier || (Array.isArray(aud) && aud.includes(identifier));
}

export function scopesOf(scope: unknown): ReadonlySet<string> {
  return new Set(typeof scope === 'string' && scope !== '' ? scope.split(' ') : []);
}

/** A `roles` claim (a list of names); anything else holds no role. */
export function rolesOf(roles: unknown): ReadonlySet<string> {
  return new Set(Array.isArray(roles) ? roles.filter((r) => typeof r === 'string') : []);
}
