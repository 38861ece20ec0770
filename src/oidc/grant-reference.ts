import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The `gid` claim of JWT access tokens: which grant a token came from, so introspection can
 * answer a JWT's *live* status (inactive once its grant was revoked: refresh-token revocation,
 * reuse detection, logout, an admin revoking the user's sessions). RFC 9068 has no such claim and
 * the token's `jti` is not stored, so the link has to travel in the token.
 *
 * The grant id is an internal store key, so it is sealed: AES-256-GCM under a key derived with
 * HKDF (RFC 5869) from each cookie key, with its own `info`, so it shares no key material use with
 * cookie signing. Readers of the token (the RP, the API) see an opaque string; only this server
 * opens it. Random IVs make two tokens of one grant carry different values (nothing to correlate).
 *
 * Keys rotate with the cookie keys: the first seals, every listed one opens (the 4-byte key id
 * picks it). Drop an old cookie key only after the longest access-token lifetime, or the JWTs
 * sealed under it introspect as inactive (fail closed) until they expire.
 */

export interface GrantReferenceCodec {
  seal(grantId: string): string;
  /** The grant id, or `undefined` when the value was not sealed by one of our keys. */
  open(reference: string): string | undefined;
}

const INFO = 'portcullis grant reference v1';
const KID_BYTES = 4;
const IV_BYTES = 12; // NIST SP 800-38D §8.2
const TAG_BYTES = 16;
// The JWT's own claim names this; keeping it as AAD binds a sealed value to this use.
const AAD = Buffer.from('gid');

export function createGrantReferenceCodec(cookieKeys: readonly string[]): GrantReferenceCodec {
  if (cookieKeys.length === 0) throw new Error('grant references need at least one cookie key');
  const keys = cookieKeys.map((secret) => {
    const key = Buffer.from(
      hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), INFO, 32),
    );
    const kid = createHash('sha256').update(key).digest().subarray(0, KID_BYTES);
    return { key, kid };
  });
  const [current] = keys;
  if (!current) throw new Error('unreachable');
  const byKid = new Map(keys.map((k) => [k.kid.toString('hex'), k.key] as const));

  return {
    seal(grantId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(AAD);
      const sealed = Buffer.concat([
        cipher.update(grantId, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return Buffer.concat([current.kid, iv, sealed]).toString('base64url');
    },

    open(reference) {
      if (typeof reference !== 'string' || reference.length > 512) return undefined;
      const raw = Buffer.from(reference, 'base64url');
      if (raw.length < KID_BYTES + IV_BYTES + TAG_BYTES + 1) return undefined;
      const key = byKid.get(raw.subarray(0, KID_BYTES).toString('hex'));
      if (!key) return undefined;
      const iv = raw.subarray(KID_BYTES, KID_BYTES + IV_BYTES);
      const body = raw.subarray(KID_BYTES + IV_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(AAD);
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
