import type { ClientSecretCipher } from '../clients/client-secret-cipher.ts';

/**
 * TOTP secrets encrypted at rest with the keys and stored form of client secrets
 * (`secrets.clientSecretKeys`, src/clients/client-secret-cipher.ts): a verifier must hold the
 * secret in clear to compute codes (RFC 6238 §5.1), so it cannot be hashed; a copy of the
 * database must still not let anyone generate a user's codes (ASVS 6.5.x, 11.1.2). The additional
 * authenticated data names the account, so a ciphertext copied onto another account does not
 * decrypt there.
 */
const aad = (accountId: string) => `totp\u0000${accountId}`;

export function sealTotpSecret(
  cipher: ClientSecretCipher,
  accountId: string,
  secret: string,
): string {
  return cipher.encrypt(secret, aad(accountId));
}

export function openTotpSecret(
  cipher: ClientSecretCipher,
  accountId: string,
  sealed: string,
): string {
  return cipher.decrypt(sealed, aad(accountId));
}
