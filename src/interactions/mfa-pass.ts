import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Proof, carried by a form, that this interaction passed a second factor: an HMAC under the
 * cookie keys of the interaction uid, the account and the method. The recovery-codes page sits
 * between the check and the end of the step (the codes are shown once); its "continue" form
 * brings this back, so nothing needs storing and nothing else can finish the step. Bound to one
 * interaction (and so to its cookie) and one account, like the CSRF token (csrf.ts).
 */
export type PassMethod = 'totp' | 'recovery_code' | 'passkey';
const METHODS: readonly PassMethod[] = ['totp', 'recovery_code', 'passkey'];

export function createMfaPass(keys: readonly string[]) {
  const [current] = keys;
  if (current === undefined) throw new Error('createMfaPass needs at least one key');
  const sign = (key: string, uid: string, accountId: string, method: string) =>
    createHmac('sha256', key)
      .update(`portcullis-mfa-pass\u0000${uid}\u0000${accountId}\u0000${method}`)
      .digest();

  return {
    issue(uid: string, accountId: string, method: PassMethod): string {
      return `${method}.${sign(current, uid, accountId, method).toString('base64url')}`;
    },
    /** The method the pass proves, or `undefined` when it is not a pass for this uid and account. */
    verify(uid: string, accountId: string, pass: string): PassMethod | undefined {
      const [method, mac, ...rest] = pass.split('.');
      if (rest.length > 0 || mac === undefined) return undefined;
      const known = METHODS.find((m) => m === method);
      if (!known) return undefined;
      const given = Buffer.from(mac, 'base64url');
      const ok = keys.some((key) => {
        const expected = sign(key, uid, accountId, known);
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
      return ok ? known : undefined;
    },
  };
}

export type MfaPass = ReturnType<typeof createMfaPass>;
