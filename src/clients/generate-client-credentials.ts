import { randomBytes } from 'node:crypto';

/**
 * The ids and secrets of clients, however they are registered (admin API, CLI, RFC 7591), so
 * they all have one shape.
 */

/**
 * A new client id: 16 random bytes as base64url (128 bits, unguessable), never with a dot (dots
 * break MongoDB keys) and never starting with "-", which a command line would take for an option
 * (`portcullis client show -x…`).
 */
export function generateClientId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** A new secret: 32 random bytes as base64url, 256 bits (RFC 6749 §10.10). */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}
