import { pbkdf2Sync, scryptSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { hashFormat, verifyLegacyHash } from '../../src/accounts/legacy-password-hashes.ts';
import { createPasswordHasher } from '../../src/accounts/password-hasher.ts';

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');
const salt = Buffer.alloc(16, 7);

describe('imported password hashes', () => {
  it('verifies bcrypt, PBKDF2 and scrypt, and refuses a wrong password', async () => {
    const hashes = [
      await bcrypt.hash('secret words', 4),
      `$pbkdf2-sha256$i=1000$${b64(salt)}$${b64(pbkdf2Sync('secret words', salt, 1000, 32, 'sha256'))}`,
      `$pbkdf2-sha1$1000$${b64(salt)}$${b64(pbkdf2Sync('secret words', salt, 1000, 20, 'sha1'))}`,
      `$scrypt$ln=4,r=8,p=1$${b64(salt)}$${b64(scryptSync('secret words', salt, 32, { N: 16, r: 8, p: 1 }))}`,
    ];
    for (const hash of hashes) {
      expect({ hash, ok: await verifyLegacyHash(hash, 'secret words') }).toEqual({
        hash,
        ok: true,
      });
      expect({ hash, ok: await verifyLegacyHash(hash, 'secret wordz') }).toEqual({
        hash,
        ok: false,
      });
    }
  });

  it('knows no other form, and refuses work factors that would tie up a sign-in', () => {
    for (const hash of [
      '5f4dcc3b5aa765d61d8327deb882cf99',
      '$1$saltsalt$hash',
      `$pbkdf2-sha256$i=99999999$${b64(salt)}$${b64(salt)}`,
      `$pbkdf2-sha256$i=0$${b64(salt)}$${b64(salt)}`,
      `$pbkdf2-md5$i=1000$${b64(salt)}$${b64(salt)}`,
      `$scrypt$ln=30,r=8,p=1$${b64(salt)}$${b64(salt)}`,
      `$pbkdf2-sha256$i=1000$${b64(salt)}$AAAA`,
      '$2b$04$tooShort',
    ]) {
      expect({ hash, format: hashFormat(hash) }).toEqual({ hash, format: undefined });
    }
  });

  it('has the hasher ask for a rehash of everything but its own argon2id parameters', async () => {
    const hasher = createPasswordHasher();
    const own = await hasher.hash('pw');
    expect(hasher.needsRehash?.(own)).toBe(false);
    expect(hasher.needsRehash?.(await bcrypt.hash('pw', 4))).toBe(true);
    expect(await hasher.verify(await bcrypt.hash('pw', 4), 'pw')).toBe(true);
    expect(await hasher.verify('garbage', 'pw')).toBe(false);
  });
});
