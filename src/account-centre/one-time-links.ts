import { createHash, randomBytes } from 'node:crypto';

/**
 * Tokens of one-time links (reset, confirmation, invitation): 256 random bits, base64url (ASVS
 * 6.4.1: random, expiring, single-use), stored only as their SHA-256 (OWASP Forgot Password Cheat
 * Sheet), so a database copy holds nothing that resets a password. A plain hash suffices: the
 * token has full entropy, nothing to guess or look up in a table.
 */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The form a token must have: anything else is refused before any lookup. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
