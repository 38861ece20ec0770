import { describe, expect, it } from '@jest/globals';
import {
  hashRecoveryCode,
  newRecoveryCodes,
  normaliseRecoveryCode,
} from '../../src/mfa/recovery-codes.ts';
import { matchTotp, newTotpSecret, totpCode, totpStep, totpUri } from '../../src/mfa/totp.ts';
import { createClientSecretCipher } from '../../src/clients/client-secret-cipher.ts';
import { openTotpSecret, sealTotpSecret } from '../../src/mfa/totp-secret-seal.ts';
import { totpQrSvg } from '../../src/mfa/totp-qr.ts';

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 Appendix B: the SHA-1 test secret "12345678901234567890", T = 59 s → 94287082
  // (8 digits); its last 6 digits are the 6-digit code.
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('computes the RFC 6238 test vector', () => {
    expect(totpCode(rfcSecret, 59_000)).toBe('287082');
    expect(totpCode(rfcSecret, 1_111_111_109_000)).toBe('081804');
  });

  it('accepts the previous, current and next step and nothing further', () => {
    const secret = newTotpSecret();
    const now = 1_700_000_015_000;
    const step = totpStep(now);
    expect(matchTotp(secret, totpCode(secret, now), now)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, now - 60_000), now)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', now)).toBeUndefined();
    expect(matchTotp(secret, '1234567', now)).toBeUndefined();
  });

  it('makes 160-bit secrets and an otpauth URI naming the issuer and account', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, 'Portcullis', 'alice'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Portcullis');
  });

  it('draws the QR code as SVG on the server', async () => {
    const svg = await totpQrSvg('otpauth://totp/x?secret=AAAA');
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(svg).not.toMatch(/<script|<text/i);
  });

  it('seals the secret for one account: another account cannot open it', () => {
    const cipher = createClientSecretCipher([Buffer.alloc(32, 7).toString('base64')]);
    const sealed = sealTotpSecret(cipher, 'acct-1', 'SECRET');
    expect(sealed).not.toContain('SECRET');
    expect(openTotpSecret(cipher, 'acct-1', sealed)).toBe('SECRET');
    expect(() => openTotpSecret(cipher, 'acct-2', sealed)).toThrow();
  });
});

describe('recovery codes', () => {
  it('makes ten distinct codes of 60 bits in a readable form', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
  });

  it('matches a code however it is typed, and hashes it per account', () => {
    const [code = ''] = newRecoveryCodes();
    expect(normaliseRecoveryCode(` ${code.toUpperCase().replace(/-/g, ' ')} `)).toBe(
      code.replace(/-/g, ''),
    );
    expect(hashRecoveryCode('a', code)).toBe(hashRecoveryCode('a', code.toUpperCase()));
    expect(hashRecoveryCode('a', code)).not.toBe(hashRecoveryCode('b', code));
    expect(normaliseRecoveryCode('too-short')).toBeUndefined();
    expect(normaliseRecoveryCode('iiii-llll-oooo')).toBeUndefined();
  });
});
