/**
 * Authentication context class references (OIDC Core §2 `acr`) Portcullis can achieve, advertised
 * in discovery (`acr_values_supported`) and set on every sign-in, so an RP that sends
 * `acr_values` gets back the `acr` actually achieved (OIDC Core §3.1.2.1: voluntary acr_values are
 * answered with what was done, never with what was asked).
 *
 * Three levels, each stronger than the one before (src/mfa/step-up-policy.ts ranks them):
 * a password; a password and a second factor (TOTP, a recovery code); a phishing-resistant
 * authenticator (a WebAuthn credential: bound to this origin, so a look-alike site cannot relay it).
 */
export const ACR_PASSWORD = 'urn:portcullis:acr:pwd';
export const ACR_MFA = 'urn:portcullis:acr:mfa';
export const ACR_PHISHING_RESISTANT = 'urn:portcullis:acr:phr';

/** Weakest first: the order of strength. */
export const ACR_VALUES_SUPPORTED = [ACR_PASSWORD, ACR_MFA, ACR_PHISHING_RESISTANT] as const;
export type AcrValue = (typeof ACR_VALUES_SUPPORTED)[number];

/** RFC 8176 authentication method reference for a password. */
export const AMR_PASSWORD = 'pwd';
/** RFC 8176 §2: one-time password (TOTP, and our one-time recovery codes). */
export const AMR_OTP = 'otp';
/** RFC 8176 §2: proof of possession of a hardware-secured key (a security key, a device-bound passkey). */
export const AMR_HARDWARE_KEY = 'hwk';
/** RFC 8176 §2: proof of possession of a software-secured key (a synced passkey). */
export const AMR_SOFTWARE_KEY = 'swk';
/** RFC 8176 §2: user presence test (WebAuthn user verification was performed). */
export const AMR_USER_PRESENCE = 'user';
/** RFC 8176 §2: multiple-factor authentication. */
export const AMR_MFA = 'mfa';
