import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for interaction forms (ASVS 3.5.1): an HMAC of the interaction's uid under the
 * cookie keys. Stateless, unguessable without the server's key, and bound to one interaction,
 * so a token lifted from one sign-in cannot post into another. Tokens made with an older key
 * still verify while that key is listed (cookie key rotation).
 */
export function createCsrf(keys: readonly string[]) {
  const [current] = keys;
  if (current === undefined) throw new Error('createCsrf needs at least one key');

  const sign = (key: string, uid: string) =>
    createHmac('sha256', key).update(`portcullis-csrf:${uid}`).digest();

  return {
    token(uid: string): string {
      return sign(current, uid).toString('base64url');
    },
    verify(uid: string, token: unknown): boolean {
      if (typeof token !== 'string' || token.length === 0 || token.length > 100) return false;
      const given = Buffer.from(token, 'base64url');
      return keys.some((key) => {
        const expected = sign(key, uid);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
