import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) with the parameters every authenticator app supports: HMAC-SHA-1, 6 digits,
 * 30-second steps (RFC 6238 §4, §5.2; Google Authenticator ignores other values). The secret is
 * 160 bits, the length of the HMAC-SHA-1 output (RFC 4226 §4 R6 asks for at least 128).
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const SECRET_BYTES = 20;
/**
 * RFC 6238 §5.2: accept the previous and the next step for clock drift and typing time, no
 * more (ASVS 6.5.5: a TOTP lives at most about 30 s past its step; two steps ago is refused).
 */
export const TOTP_WINDOW = 1;

/** A new shared secret, base32 (RFC 4648 §6) as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32;
}

function totpOf(secret: string, issuer = '', label = '') {
  return new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The `otpauth://totp/...` URI of the Key Uri Format the QR code carries. */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totpOf(secret, issuer, label).toString();
}

/** The step number of a time (RFC 6238 §4.2: T = floor((unix time - T0) / X)). */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step whose code `code` is, within ±`TOTP_WINDOW` of now, or `undefined`. The caller
 * then records the step as used (CredentialStore.useTotpStep) so the code works once.
 */
export function matchTotp(secret: string, code: string, nowMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secret).validate({ token: code, timestamp: nowMs, window: TOTP_WINDOW });
  return delta === null ? undefined : totpStep(nowMs) + delta;
}

/** The code of a time (what an authenticator app shows then); tests compute codes with it. */
export function totpCode(secret: string, nowMs: number): string {
  return totpOf(secret).generate({ timestamp: nowMs });
}
