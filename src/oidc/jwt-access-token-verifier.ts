import { createHash } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { PublicJwks } from './signing-keys.ts';

/** The claims of an RFC 9068 access token as oidc-provider issues them (plus our `gid`). */
export interface JwtAccessTokenClaims extends JWTPayload {
  client_id: string;
  scope?: string;
  cnf?: { jkt?: string; 'x5t#S256'?: string };
}

export type JwtAccessTokenVerifier = (
  token: string,
  issuer: string,
) => Promise<JwtAccessTokenClaims | undefined>;

/** Most verified tokens remembered (about 1 KiB each). */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Verifies a JWT access token this server issued, in-process, against the public keys of the
 * current key set (every published key: a token signed before a rotation verifies until its key
 * stops being published, which is after every token it signed expired). RFC 9068 §4 checks:
 * `typ` `at+jwt` (so an ID token is never taken for an access token), the issuer, the signature
 * with an allowed algorithm, `exp`; `client_id`, `iat`, `jti`, `sub` and `aud` must be present.
 * Answers `undefined` for anything that does not verify: introspection then says inactive.
 *
 * An API introspects the same token on every call it makes with it, and a signature check
 * (about 150 µs for ES256) costs more than the rest of an introspection. What verified once is
 * remembered, keyed by the token's SHA-256, until the token expires or the key set changes (a
 * rotation step, or a key removed): the signature of a given token under given keys cannot
 * change. Only the verification is remembered; the live checks (grant, client, audience policy)
 * run on every call.
 */
export function createJwtAccessTokenVerifier(options: {
  keys: () => PublicJwks;
  algorithms: readonly string[];
  now?: () => number;
}): JwtAccessTokenVerifier {
  const now = options.now ?? Date.now;
  let cached:
    | {
        keys: PublicJwks;
        keySet: ReturnType<typeof createLocalJWKSet>;
        verified: Map<string, JwtAccessTokenClaims>;
      }
    | undefined;
  const algorithms = [...options.algorithms];

  return async function verifyJwtAccessToken(token, issuer) {
    const keys = options.keys();
    // Imported keys and verified tokens are kept per key set: a rotation hands over a new set.
    if (cached?.keys !== keys)
      cached = { keys, keySet: createLocalJWKSet(keys as never), verified: new Map() };
    const { verified } = cached;
    const key = createHash('sha256').update(token).digest('base64url');
    const known = verified.get(key);
    if (known !== undefined) {
      verified.delete(key);
      if (known.iss === issuer && typeof known.exp === 'number' && known.exp * 1000 > now()) {
        verified.set(key, known); // most recently used last
        return known;
      }
      return undefined;
    }
    let claims: JwtAccessTokenClaims;
    try {
      const { payload } = await jwtVerify(token, cached.keySet, {
        issuer,
        typ: 'at+jwt',
        algorithms,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'aud', 'client_id'],
      });
      if (typeof payload.client_id !== 'string') return undefined;
      claims = Object.freeze(payload) as JwtAccessTokenClaims;
    } catch {
      return undefined;
    }
    verified.set(key, claims);
    if (verified.size > VERIFIED_CACHE_SIZE) {
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    return claims;
  };
}

/** Whether a presented token is shaped like a JWS (three base64url parts): JWT access tokens are. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
