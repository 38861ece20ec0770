import { createHash, randomInt } from 'node:crypto';

/**
 * Recovery codes (ASVS 6.5.x "lookup secrets"): 10 one-time codes, shown once, stored hashed.
 * Each is 12 characters of a 32-letter alphabet without look-alikes (60 bits), grouped in threes
 * of four for reading aloud. 60 bits is below the 112 bits that would allow a plain hash, so the
 * hash is salted (ASVS 6.5.2) with the account id, and guessing is throttled like passwords.
 */
export const RECOVERY_CODE_COUNT = 10;
/** At or below this many unused codes the pages warn the user to regenerate them. */
export const RECOVERY_CODES_LOW = 3;

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no i, l, o, 0, 1
const GROUPS = 3;
const GROUP_LENGTH = 4;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    ).join('-'),
  );
}

/** What the user typed, as the code it was shown as: case, spaces and dashes do not matter. */
export function normaliseRecoveryCode(input: string): string | undefined {
  const bare = input.toLowerCase().replace(/[\s-]/g, '');
  if (bare.length !== GROUPS * GROUP_LENGTH) return undefined;
  if (![...bare].every((c) => ALPHABET.includes(c))) return undefined;
  return bare;
}

/** The stored form: SHA-256 over the account id and the normalised code. */
export function hashRecoveryCode(accountId: string, code: string): string {
  const bare = normaliseRecoveryCode(code) ?? code;
  return createHash('sha256').update(`${accountId}\u0000${bare}`).digest('base64url');
}
