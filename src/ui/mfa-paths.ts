/** Where the second-factor forms post to (src/interactions/mfa-routes.ts). */
export type MfaAction =
  'totp' | 'recovery' | 'enrol' | 'continue' | 'regenerate' | 'passkey' | 'passkey-options';

export function mfaPath(uid: string, action: MfaAction): string {
  return `/interaction/${encodeURIComponent(uid)}/mfa/${action}`;
}

/** The same-origin WebAuthn script (public/webauthn.js), the only script our pages load. */
export const WEBAUTHN_SCRIPT_PATH = '/assets/webauthn.js';
