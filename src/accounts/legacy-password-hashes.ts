import { pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

/**
 * Password hashes brought in by `portcullis user import` from other systems, verified on the
 * user's first sign-in and then replaced by argon2id (password-hasher.ts). Formats (each the
 * common text form of its family, so exports from other systems fit without conversion):
 *
 * - bcrypt: `$2a$`, `$2b$`, `$2y$` (Modular Crypt Format), verified by `bcryptjs`. bcrypt reads
 *   only the first 72 bytes of a password (its own limit, which the old system applied too); the
 *   argon2id hash that replaces it takes the password whole (ASVS 6.2.8).
 * - PBKDF2: `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` (PHC string format; also sha1, sha512)
 *   and passlib's `$pbkdf2-sha256$<iterations>$<salt>$<hash>` (its "ab64": `.` for `+`).
 * - scrypt: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (PHC / passlib).
 *
 * Salt and hash are base64 without padding (PHC). Verification compares in constant time.
 */

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

const BCRYPT = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
const PBKDF2 =
  /^\$pbkdf2-(sha1|sha256|sha512)\$(?:i=)?(\d{1,8})\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
const SCRYPT =
  /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/.]+)\$([A-Za-z0-9+/.]+)$/;
const ARGON2 = /^\$argon2(id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** Bounds that keep one sign-in from tying up the server (a hostile import could set them). */
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_LN = 20;

const b64 = (text: string) => Buffer.from(text.replace(/\./g, '+'), 'base64');

export type HashFormat = 'argon2' | 'bcrypt' | 'pbkdf2' | 'scrypt';

/** The family of a stored hash, or `undefined` when it is none we can verify. */
export function hashFormat(hashed: string): HashFormat | undefined {
  if (ARGON2.test(hashed)) return 'argon2';
  if (BCRYPT.test(hashed)) return 'bcrypt';
  const p = PBKDF2.exec(hashed);
  if (p) {
    const iterations = Number(p[2]);
    return iterations >= 1 && iterations <= MAX_PBKDF2_ITERATIONS && b64(p[4] ?? '').length >= 16
      ? 'pbkdf2'
      : undefined;
  }
  const s = SCRYPT.exec(hashed);
  if (s) {
    const ln = Number(s[1]);
    return ln >= 1 &&
      ln <= MAX_SCRYPT_LN &&
      Number(s[2]) >= 1 &&
      Number(s[3]) >= 1 &&
      b64(s[5] ?? '').length >= 16
      ? 'scrypt'
      : undefined;
  }
  return undefined;
}

/** Verifies a bcrypt, PBKDF2 or scrypt hash; `undefined` for any other format. */
export async function verifyLegacyHash(
  hashed: string,
  password: string,
): Promise<boolean | undefined> {
  const format = hashFormat(hashed);
  if (format === 'bcrypt') return bcrypt.compare(password, hashed);
  if (format === 'pbkdf2') {
    const [, digest = 'sha256', rounds = '1', salt = '', expected = ''] = PBKDF2.exec(hashed) ?? [];
    const want = b64(expected);
    const got = await pbkdf2Async(password, b64(salt), Number(rounds), want.length, digest);
    return timingSafeEqual(got, want);
  }
  if (format === 'scrypt') {
    const [, ln = '14', r = '8', p = '1', salt = '', expected = ''] = SCRYPT.exec(hashed) ?? [];
    const want = b64(expected);
    const N = 2 ** Number(ln);
    const got = await scryptAsync(password, b64(salt), want.length, {
      N,
      r: Number(r),
      p: Number(p),
      // node's default maxmem (32 MiB) is below what N=2^17, r=8 needs: 128·N·r bytes and a margin.
      maxmem: 256 * N * Number(r) + 1024 * 1024,
    });
    return timingSafeEqual(got, want);
  }
  return undefined;
}
