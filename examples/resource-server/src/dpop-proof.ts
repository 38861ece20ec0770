import { createHash } from 'node:crypto';
import {
  EmbeddedJWK,
  calculateJwkThumbprint,
  decodeProtectedHeader,
  jwtVerify,
  type JWK,
} from 'jose';

/**
 * Checks a DPoP proof for a request to this API (RFC 9449 §4.3 and §7.1): the proof is a JWT of
 * type `dpop+jwt`, signed with an asymmetric key whose public JWK it carries; it names this
 * request's method (`htm`) and URL (`htu`, without query and fragment), is fresh (`iat`), is
 * used once (`jti`), is bound to this access token (`ath` = SHA-256 of the token), and its key is
 * the one the token is bound to (`cnf.jkt`, the RFC 7638 thumbprint).
 */

export class DpopProofError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DpopProofError';
  }
}

const ALGORITHMS = ['ES256', 'EdDSA', 'PS256', 'RS256'];
/** How old a proof may be; also how long its `jti` is remembered to refuse a replay. */
const MAX_AGE_SECONDS = 60;

/** `htu` and the request URL compared without query and fragment (RFC 9449 §4.3, check 9). */
function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

export interface DpopProofChecker {
  check(options: {
    proof: string;
    method: string;
    url: string;
    accessToken: string;
    jkt: string;
  }): Promise<void>;
}

export function createDpopProofChecker(
  options: { now?: () => number; maxEntries?: number } = {},
): DpopProofChecker {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 100_000;
  // jti → when it may be forgotten. Bounded: past the limit the oldest are dropped (they are
  // also the first to be past MAX_AGE_SECONDS, and their proofs are then refused as too old).
  const seen = new Map<string, number>();

  function remember(jti: string): void {
    const at = now();
    for (const [key, until] of seen) {
      if (until > at && seen.size < maxEntries) break;
      seen.delete(key);
    }
    seen.set(jti, at + MAX_AGE_SECONDS * 1000);
  }

  return {
    async check({ proof, method, url, accessToken, jkt }) {
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(proof);
      } catch {
        throw new DpopProofError('the DPoP proof is not a JWT');
      }
      if (header.typ !== 'dpop+jwt')
        throw new DpopProofError('the DPoP proof must have typ dpop+jwt');
      const jwk = header.jwk as JWK | undefined;
      if (!jwk || 'd' in jwk || 'k' in jwk)
        throw new DpopProofError('the DPoP proof must carry a public JWK');

      let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
      try {
        ({ payload } = await jwtVerify(proof, EmbeddedJWK, {
          typ: 'dpop+jwt',
          algorithms: ALGORITHMS,
          maxTokenAge: MAX_AGE_SECONDS,
          clockTolerance: 5,
          currentDate: new Date(now()),
          requiredClaims: ['iat', 'jti', 'htm', 'htu', 'ath'],
        }));
      } catch {
        throw new DpopProofError('the DPoP proof does not verify, or is too old');
      }
      if (payload.htm !== method) throw new DpopProofError('the DPoP proof is for another method');
      if (
        typeof payload.htu !== 'string' ||
        !URL.canParse(payload.htu) ||
        withoutQuery(payload.htu) !== withoutQuery(url)
      ) {
        throw new DpopProofError('the DPoP proof is for another URL');
      }
      const ath = createHash('sha256').update(accessToken).digest('base64url');
      if (payload.ath !== ath)
        throw new DpopProofError('the DPoP proof is for another access token');
      if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt) {
        throw new DpopProofError(
          'the DPoP proof is signed with another key than the token is bound to',
        );
      }
      const jti = `${jkt}:${String(payload.jti)}`;
      if (seen.has(jti) && (seen.get(jti) ?? 0) > now())
        throw new DpopProofError('the DPoP proof was used before');
      remember(jti);
    },
  };
}
