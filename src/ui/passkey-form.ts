import type { Localised } from './localise.ts';
import { mfaPath, WEBAUTHN_SCRIPT_PATH } from './mfa-paths.ts';
import type { PasskeyForm } from './template-contract.ts';

/** @simplewebauthn/browser's bundle, served by src/ui/serve-webauthn-browser.ts. */
export const WEBAUTHN_BROWSER_SCRIPT_PATH = '/assets/simplewebauthn-browser.js';

/** The WebAuthn form of a sign-in page (views/partials/passkey.ejs). */
export function passkeyForm(
  input: { uid: string; csrfToken: string; clientId: string | undefined },
  purpose: PasskeyForm['purpose'],
  { t }: Localised,
): PasskeyForm {
  const texts =
    purpose === 'passwordless'
      ? { heading: t('passkey.signIn.heading'), submitLabel: t('passkey.signIn.submit') }
      : purpose === 'register'
        ? { heading: t('passkey.register.heading'), submitLabel: t('passkey.register.submit') }
        : { heading: t('mfa.passkey.heading'), submitLabel: t('mfa.passkey.submit') };
  return {
    action: mfaPath(input.uid, 'passkey'),
    csrfToken: input.csrfToken,
    clientId: input.clientId,
    purpose,
    ...texts,
    needsScript: t('mfa.passkey.needsScript'),
    failed: t('passkey.failed'),
    optionsUrl: mfaPath(input.uid, 'passkey-options'),
    scriptSrcs: [WEBAUTHN_BROWSER_SCRIPT_PATH, WEBAUTHN_SCRIPT_PATH],
    nameField:
      purpose === 'register'
        ? {
            id: 'passkey-name',
            label: t('passkey.register.name'),
            value: t('passkey.register.defaultName'),
          }
        : undefined,
    autofill: purpose === 'passwordless',
  };
}
