import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks (standardwebhooks.com, "Signature scheme"): the secret is `whsec_` + base64
 * of the key; the signed content is `<webhook-id>.<webhook-timestamp>.<body>`; the
 * `webhook-signature` header is `v1,` + base64 of its HMAC-SHA256 (space-separated when several
 * keys sign, e.g. during a secret rotation; we sign with one).
 */
const SECRET_PREFIX = 'whsec_';

/** A new secret: 32 random bytes (the spec asks for 24 to 64). */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(value.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

export interface WebhookHeaders {
  'webhook-id': string;
  /** Integer seconds since the epoch. */
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): WebhookHeaders {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}
