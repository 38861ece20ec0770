import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryption of client secrets at rest. The provider must compare a presented
 * `client_secret_basic`/`client_secret_post` secret with the registered one in clear (RFC 6749
 * §2.3.1), so secrets cannot be hashed; encrypting them keeps a copy of the database (a backup,
 * a dump) from handing out every client's credentials.
 *
 * Stored form: `enc:v1:<kid>:<iv>:<ciphertext+tag>` (base64url parts). `kid` names the key that
 * encrypted it, so keys can be rotated: the newest key encrypts, any listed key decrypts. The
 * client id is the additional authenticated data, so a ciphertext copied onto another client
 * does not decrypt there.
 */

const PREFIX = 'enc:v1:';
const IV_BYTES = 12; // NIST SP 800-38D §8.2: 96-bit IVs, random per encryption.
const TAG_BYTES = 16;

export interface ClientSecretCipher {
  /** The id of the key that encrypts (the first configured one). */
  readonly currentKeyId: string;
  encrypt(secret: string, clientId: string): string;
  /** Plaintext of a stored value; a value not in the encrypted form is returned as it is (stored before encryption). */
  decrypt(stored: string, clientId: string): string;
  isEncrypted(stored: string): boolean;
  /** The key id a stored value was encrypted with, or `undefined` for a plaintext value. */
  keyIdOf(stored: string): string | undefined;
}

/** Thrown when a stored secret cannot be decrypted: its key is not configured, or it was altered. */
export class ClientSecretDecryptionError extends Error {
  constructor(clientId: string, reason: string) {
    super(`the secret of client ${clientId} cannot be decrypted: ${reason}`);
    this.name = 'ClientSecretDecryptionError';
  }
}

/** A short, stable, non-secret name of a key: the first 8 characters of its SHA-256. */
export function clientSecretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/** `keys`: base64 32-byte keys, newest first (`secrets.clientSecretKeys`). */
export function createClientSecretCipher(keys: readonly string[]): ClientSecretCipher {
  const decoded = keys.map((k) => Buffer.from(k, 'base64'));
  const [current] = decoded;
  if (!current || decoded.some((k) => k.length !== 32)) {
    throw new Error('client secret keys must be one or more 32-byte keys');
  }
  const byId = new Map<string, Buffer>();
  for (const key of decoded) {
    const kid = clientSecretKeyId(key);
    if (!byId.has(kid)) byId.set(kid, key);
  }
  const currentKeyId = clientSecretKeyId(current);

  function parts(stored: string): [string, Buffer, Buffer] | undefined {
    if (!stored.startsWith(PREFIX)) return undefined;
    const [kid, iv, sealed, ...rest] = stored.slice(PREFIX.length).split(':');
    if (kid === undefined || iv === undefined || sealed === undefined || rest.length > 0)
      return undefined;
    return [kid, Buffer.from(iv, 'base64url'), Buffer.from(sealed, 'base64url')];
  }

  return {
    currentKeyId,

    encrypt(secret, clientId) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(clientId, 'utf8'));
      const sealed = Buffer.concat([
        cipher.update(secret, 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `${PREFIX}${currentKeyId}:${iv.toString('base64url')}:${sealed.toString('base64url')}`;
    },

    decrypt(stored, clientId) {
      if (!stored.startsWith(PREFIX)) return stored;
      const parsed = parts(stored);
      if (!parsed) throw new ClientSecretDecryptionError(clientId, 'the stored value is malformed');
      const [kid, iv, sealed] = parsed;
      const key = byId.get(kid);
      if (!key) {
        throw new ClientSecretDecryptionError(
          clientId,
          `it was encrypted with key ${kid}, which is not among secrets.clientSecretKeys`,
        );
      }
      if (iv.length !== IV_BYTES || sealed.length < TAG_BYTES) {
        throw new ClientSecretDecryptionError(clientId, 'the stored value is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(clientId, 'utf8'));
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new ClientSecretDecryptionError(
          clientId,
          'authentication failed (altered, or stored for another client)',
        );
      }
    },

    isEncrypted(stored) {
      return stored.startsWith(PREFIX);
    },

    keyIdOf(stored) {
      return parts(stored)?.[0];
    },
  };
}
