import type { ClientSecretCipher } from '../clients/client-secret-cipher.ts';
import type { WebhookEndpointRecord, WebhookEndpointStore } from '../storage/outbox-ports.ts';

/**
 * Webhook secrets encrypted at rest with the client-secret keys (`secrets.clientSecretKeys`,
 * AES-256-GCM, see client-secret-cipher.ts): the HMAC key must be used in clear to sign, so it
 * cannot be hashed, and a copy of the database must not let anyone forge our messages. The
 * additional data is `webhook:<id>`, so a ciphertext moved onto another endpoint (or a client)
 * does not decrypt. Everything above this decorator sees plaintext.
 */
export function encryptedWebhookEndpointStore(
  inner: WebhookEndpointStore,
  cipher: ClientSecretCipher,
): WebhookEndpointStore {
  const aad = (id: string) => `webhook:${id}`;
  const open = (record: WebhookEndpointRecord): WebhookEndpointRecord => ({
    ...record,
    secret: cipher.decrypt(record.secret, aad(record.id)),
  });
  return {
    create: (record) =>
      inner.create({ ...record, secret: cipher.encrypt(record.secret, aad(record.id)) }),
    findById: async (id) => {
      const record = await inner.findById(id);
      return record === undefined ? undefined : open(record);
    },
    update: async (id, patch, updatedAt) => {
      const sealed =
        patch.secret === undefined
          ? patch
          : { ...patch, secret: cipher.encrypt(patch.secret, aad(id)) };
      const record = await inner.update(id, sealed, updatedAt);
      return record === undefined ? undefined : open(record);
    },
    remove: (id) => inner.remove(id),
    list: async (options) => {
      const page = await inner.list(options);
      return { items: page.items.map(open), nextCursor: page.nextCursor };
    },
  };
}
