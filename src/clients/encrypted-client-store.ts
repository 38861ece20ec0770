import type { OidcModelName, OidcModelStore, OidcPayload, Store } from '../storage/ports.ts';
import type { ClientSecretCipher } from './client-secret-cipher.ts';

/**
 * A decorator over `OidcModelStore` that encrypts `client_secret` of `Client` entries on the way
 * in and decrypts it on the way out (see client-secret-cipher.ts). Everything above it — the
 * provider's adapter, the client service, the CLI — sees plaintext; the backend holds only
 * ciphertext. Other models pass through untouched.
 */
export function encryptedClientStore(
  inner: OidcModelStore,
  cipher: ClientSecretCipher,
): OidcModelStore {
  function sealed(id: string, payload: OidcPayload): OidcPayload {
    const secret = payload.client_secret;
    if (typeof secret !== 'string' || secret.length === 0) return payload;
    return { ...payload, client_secret: cipher.encrypt(secret, id) };
  }

  // The provider looks its client up on every token, introspection and revocation request, so
  // each secret would be decrypted thousands of times a second. Remember plaintexts by client id
  // and ciphertext: every write makes a new ciphertext (fresh IV) and a deleted client is never
  // found, so an entry can never outlive a change. Bounded: oldest entries go first.
  const plaintexts = new Map<string, string>();
  const MAX_REMEMBERED = 1000;

  function decrypted(id: string, secret: string): string {
    const key = `${id}\u0000${secret}`;
    let plain = plaintexts.get(key);
    if (plain === undefined) {
      plain = cipher.decrypt(secret, id);
      if (plaintexts.size >= MAX_REMEMBERED)
        plaintexts.delete(plaintexts.keys().next().value as string);
      plaintexts.set(key, plain);
    }
    return plain;
  }

  function opened(id: string, payload: OidcPayload): OidcPayload {
    const secret = payload.client_secret;
    if (typeof secret !== 'string' || !cipher.isEncrypted(secret)) return payload;
    return { ...payload, client_secret: decrypted(id, secret) };
  }

  const isClient = (model: OidcModelName) => model === 'Client';

  return {
    upsert(model, id, payload, expiresAt) {
      return inner.upsert(model, id, isClient(model) ? sealed(id, payload) : payload, expiresAt);
    },
    async find(model, id) {
      const payload = await inner.find(model, id);
      return payload && isClient(model) ? opened(id, payload) : payload;
    },
    findByUid: (model, uid) => inner.findByUid(model, uid),
    findByUserCode: (model, userCode) => inner.findByUserCode(model, userCode),
    consume: (model, id) => inner.consume(model, id),
    // Never a Client: client secrets are only written through upsert.
    insertIfAbsent: (model, id, payload, expiresAt) =>
      inner.insertIfAbsent(model, id, payload, expiresAt),
    destroy: (model, id) => inner.destroy(model, id),
    revokeByGrantId: (model, grantId) => inner.revokeByGrantId(model, grantId),
    async list(model, options) {
      const page = await inner.list(model, options);
      if (!isClient(model)) return page;
      return {
        ...page,
        items: page.items.map((item) => ({ id: item.id, payload: opened(item.id, item.payload) })),
      };
    },
    findByAccountId: (model, accountId, limit) => inner.findByAccountId(model, accountId, limit),
    revokeByAccountId: (model, accountId) => inner.revokeByAccountId(model, accountId),
    revokeByClientId: (model, clientId) => inner.revokeByClientId(model, clientId),
  };
}

/** `store` with its `oidc` port replaced by `oidc`; every other member is the store's own. */
export function withOidcStore(store: Store, oidc: OidcModelStore): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      return prop === 'oidc' ? oidc : (Reflect.get(target, prop, receiver) as unknown);
    },
  });
}

export interface ReencryptResult {
  /** Clients with a secret. */
  clients: number;
  /** Of those, how many were stored in clear or under an older key and are now under the newest. */
  reencrypted: number;
}

/**
 * Re-encrypts every stored client secret with the newest key, reading and writing `inner` (the
 * undecorated store) so it can tell which secrets need it. Afterwards older keys can be removed
 * from `secrets.clientSecretKeys`. Also encrypts secrets stored before encryption existed.
 */
export async function reencryptClientSecrets(
  inner: OidcModelStore,
  cipher: ClientSecretCipher,
): Promise<ReencryptResult> {
  let clients = 0;
  let reencrypted = 0;
  let cursor: string | undefined;
  do {
    const page = await inner.list('Client', { cursor, limit: 100 });
    for (const { id, payload } of page.items) {
      const stored = payload.client_secret;
      if (typeof stored !== 'string' || stored.length === 0) continue;
      clients += 1;
      if (cipher.keyIdOf(stored) === cipher.currentKeyId) continue;
      const plain = cipher.decrypt(stored, id);
      await inner.upsert('Client', id, { ...payload, client_secret: cipher.encrypt(plain, id) });
      reencrypted += 1;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { clients, reencrypted };
}
