import {
  ClientSecretDecryptionError,
  type ClientSecretCipher,
} from '../clients/client-secret-cipher.ts';
import type { KeyStore, SigningKeyRecord, Store } from '../storage/ports.ts';

/**
 * Signing private keys encrypted at rest (issue 12, item 11), with the same AES-256-GCM keys and
 * stored form as client secrets (`secrets.clientSecretKeys`, src/clients/client-secret-cipher.ts):
 * a copy of the database must not let anyone sign ID tokens or JWT access tokens as this server
 * (ASVS 13.3.1, 11.1.2: key material protected at rest).
 *
 * Stored `privateJwk`: the public members (`kty`, `kid`, `alg`, `use`, `crv`, `x`, `y`, `n`, `e`;
 * no secret, and what an operator reading the table needs) plus `sealed`, the whole private JWK
 * encrypted. The additional authenticated data names the key, so a ciphertext copied onto another
 * kid does not decrypt there. Keys stored before this (in clear) are read as they are; every
 * process start (server or CLI) stores them encrypted under the newest key (`sealSigningKeys`),
 * which also makes `portcullis client reencrypt` unnecessary for them after a key rotation.
 */

const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e'] as const;

const aad = (kid: string) => `signing-key\u0000${kid}`;

function isSealed(
  jwk: Record<string, unknown>,
): jwk is Record<string, unknown> & { sealed: string } {
  return typeof jwk.sealed === 'string';
}

export function sealPrivateJwk(
  cipher: ClientSecretCipher,
  kid: string,
  jwk: Record<string, unknown>,
): Record<string, unknown> {
  const visible = Object.fromEntries(
    PUBLIC_MEMBERS.filter((m) => jwk[m] !== undefined).map((m) => [m, jwk[m]]),
  );
  return { ...visible, sealed: cipher.encrypt(JSON.stringify(jwk), aad(kid)) };
}

export function openPrivateJwk(
  cipher: ClientSecretCipher,
  kid: string,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  if (!isSealed(stored)) return stored;
  try {
    return JSON.parse(cipher.decrypt(stored.sealed, aad(kid))) as Record<string, unknown>;
  } catch (err) {
    const reason =
      err instanceof ClientSecretDecryptionError
        ? err.message.replace(/^.*cannot be decrypted: /, '')
        : 'its plaintext is malformed';
    throw new Error(`signing key ${kid} cannot be decrypted: ${reason}`, { cause: err });
  }
}

/** `inner` seen with plaintext private keys: sealed on `add`, opened on `list`. */
export function encryptedKeyStore(inner: KeyStore, cipher: ClientSecretCipher): KeyStore {
  return {
    async list() {
      return (await inner.list()).map((k) => ({
        ...k,
        privateJwk: openPrivateJwk(cipher, k.kid, k.privateJwk),
      }));
    },
    add: (record: SigningKeyRecord) =>
      inner.add({ ...record, privateJwk: sealPrivateJwk(cipher, record.kid, record.privateJwk) }),
    update: (kid, patch) => inner.update(kid, patch),
    replacePrivateJwk: (kid, privateJwk) =>
      inner.replacePrivateJwk(kid, sealPrivateJwk(cipher, kid, privateJwk)),
    remove: (kid) => inner.remove(kid),
  };
}

/**
 * Stores every signing key in `inner` (the undecorated store) encrypted under the newest key: keys
 * stored in clear (before encryption existed) or under an older key. Returns how many it rewrote.
 * Two processes doing it at once write two ciphertexts of the same key: harmless.
 */
export async function sealSigningKeys(
  inner: KeyStore,
  cipher: ClientSecretCipher,
): Promise<number> {
  let rewritten = 0;
  for (const key of await inner.list()) {
    if (isSealed(key.privateJwk) && cipher.keyIdOf(key.privateJwk.sealed) === cipher.currentKeyId)
      continue;
    const plain = openPrivateJwk(cipher, key.kid, key.privateJwk);
    if (await inner.replacePrivateJwk(key.kid, sealPrivateJwk(cipher, key.kid, plain)))
      rewritten += 1;
  }
  return rewritten;
}

/** `store` with its `keys` port replaced by `keys`; every other member is the store's own. */
export function withKeyStore(store: Store, keys: KeyStore): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      return prop === 'keys' ? keys : (Reflect.get(target, prop, receiver) as unknown);
    },
  });
}
