import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { audienceIncludes, rolesOf, scopesOf, type TokenVerifier } from './verified-token.ts';

/**
 * Way 2: verify an RFC 9068 JWT access token locally, with no call to Portcullis per request
 * (RFC 9068 §4): `typ` must be `at+jwt` (an ID token is not an access token), `iss` Portcullis,
 * `aud` this API, a signature by a key in Portcullis's JWKS with an asymmetric algorithm, and
 * `exp` in the future.
 *
 * The JWKS is fetched once and kept for 5 minutes (Portcullis serves it with
 * `Cache-Control: public, max-age=300`); a token signed with a key not seen yet (after a
 * rotation) makes jose fetch it again, at most every 30 s.
 *
 * The price: the answer is as old as the token. A token revoked at Portcullis (grant revoked,
 * user signed out, client deleted) still verifies here until it expires — 5 minutes by default.
 * Use introspection where that matters.
 */
export function createJwtVerifier(options: {
  issuer: string;
  identifier: string;
  jwksUri: string;
}): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    cacheMaxAge: 5 * 60_000,
    cooldownDuration: 30_000,
  });

  return async function verifyJwt(token) {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.identifier,
        typ: 'at+jwt',
        algorithms: ['ES256', 'EdDSA', 'PS256', 'RS256'],
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
      });
      if (typeof payload.client_id !== 'string' || typeof payload.exp !== 'number')
        return undefined;
      if (!audienceIncludes(payload.aud, options.identifier)) return undefined;
      const cnf = payload.cnf as { jkt?: unknown } | undefined;
      return {
        subject: payload.sub,
        clientId: payload.client_id,
        scopes: scopesOf(payload.scope),
        roles: rolesOf(payload.roles),
        expiresAt: payload.exp,
        jkt: typeof cnf?.jkt === 'string' ? cnf.jkt : undefined,
        via: 'jwt',
      };
    } catch (err) {
      // A token that does not verify is the caller's problem (401); failing to fetch the JWKS
      // is ours and propagates (503).
      if (err instanceof errors.JOSEError && !(err instanceof errors.JWKSTimeout)) return undefined;
      throw err;
    }
  };
}
