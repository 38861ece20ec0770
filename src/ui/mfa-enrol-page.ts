import { clientBadge, type ClientInput } from './client-badge.ts';
import { interactionPath } from './interaction-path.ts';
import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import { totpField } from './mfa-page.ts';
import { mfaPath } from './mfa-paths.ts';
import { passkeyForm } from './passkey-form.ts';
import type { MfaEnrolPageLocals } from './template-contract.ts';

export interface MfaEnrolPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  client: ClientInput;
  /** Base32 secret, shown grouped in fours for typing. */
  secret: string;
  /** Server-rendered SVG of the otpauth URI (src/mfa/totp-qr.ts). */
  qrSvg: string;
  error?: 'invalid_code' | 'missing_code' | undefined;
  /** Offer a passkey instead of the app (needs script). */
  passkeys?: boolean | undefined;
}

const ERROR_ID = 'mfa-enrol-error';

export function mfaEnrolPage(input: MfaEnrolPageInput): MfaEnrolPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const hidden = {
    csrfToken: input.csrfToken,
    clientId: input.client.id,
  };
  return {
    layout: layoutLocals('mfa-enrol', t('mfaEnrol.title'), input, l),
    client,
    heading: t('mfaEnrol.heading'),
    intro: t('mfaEnrol.intro', { client: client.name }),
    alert:
      input.error === undefined
        ? undefined
        : { id: ERROR_ID, message: t(`mfa.error.${input.error}`) },
    invalidFieldsDescribedBy: input.error === undefined ? undefined : ERROR_ID,
    qr: { label: t('mfaEnrol.qrLabel'), svg: input.qrSvg },
    secret: {
      label: t('mfaEnrol.secretLabel'),
      value: input.secret.replace(/(.{4})(?=.)/g, '$1 '),
    },
    form: {
      ...hidden,
      action: mfaPath(input.uid, 'enrol'),
      field: totpField('enrol-code', t('mfaEnrol.codeLabel'), t('mfaEnrol.codeHint')),
      submitLabel: t('mfaEnrol.submit'),
    },
    passkey: input.passkeys
      ? passkeyForm(
          { uid: input.uid, csrfToken: input.csrfToken, clientId: input.client.id },
          'register',
          l,
        )
      : undefined,
    cancel: {
      ...hidden,
      id: 'mfa-enrol-cancel',
      action: interactionPath(input.uid, 'abort'),
      label: t('mfa.cancel'),
    },
  };
}
