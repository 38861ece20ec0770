import { clientBadge, type ClientInput } from './client-badge.ts';
import { interactionPath } from './interaction-path.ts';
import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import { mfaPath } from './mfa-paths.ts';
import { passkeyForm } from './passkey-form.ts';
import type { CodeField, MfaPageLocals } from './template-contract.ts';

export type MfaPageError = 'invalid_code' | 'missing_code';

export interface MfaPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  client: ClientInput;
  /** The second factors this step accepts. */
  methods: readonly ('totp' | 'recovery_code' | 'passkey')[];
  /** Only a phishing-resistant authenticator will do (the RP asked for it). */
  phishingResistant: boolean;
  /** Unused recovery codes, when few are left (a warning); `undefined` otherwise. */
  recoveryCodesLeft?: number | undefined;
  error?: MfaPageError | undefined;
}

const ERROR_ID = 'mfa-error';
const CANCEL_FORM_ID = 'mfa-cancel';

/** The totp field: WHATWG autofill `one-time-code`, digits only (the no-JS browser checks it too). */
export function totpField(id: string, label: string, hint: string): CodeField {
  return {
    id,
    name: 'code',
    label,
    hint,
    autocomplete: 'one-time-code',
    inputmode: 'numeric',
    pattern: '[0-9 ]{6,7}',
    maxlength: 7,
  };
}

export function mfaPage(input: MfaPageInput): MfaPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const hidden = (action: Parameters<typeof mfaPath>[1]) => ({
    action: mfaPath(input.uid, action),
    csrfToken: input.csrfToken,
    clientId: input.client.id,
  });
  const has = (m: MfaPageInput['methods'][number]) => input.methods.includes(m);
  return {
    layout: layoutLocals('mfa', t('mfa.title'), input, l),
    client,
    heading: t('mfa.heading'),
    intro: input.phishingResistant
      ? t('mfa.phishingResistant', { client: client.name })
      : t('mfa.intro', { client: client.name }),
    alert:
      input.error === undefined
        ? undefined
        : { id: ERROR_ID, message: t(`mfa.error.${input.error}`) },
    invalidFieldsDescribedBy: input.error === undefined ? undefined : ERROR_ID,
    warning:
      input.recoveryCodesLeft === undefined
        ? undefined
        : t('mfa.recovery.low', { count: String(input.recoveryCodesLeft) }),
    totp: has('totp')
      ? {
          ...hidden('totp'),
          field: totpField('totp-code', t('mfa.totp.label'), t('mfa.totp.hint')),
          submitLabel: t('mfa.totp.submit'),
        }
      : undefined,
    recovery: has('recovery_code')
      ? {
          ...hidden('recovery'),
          heading: t('mfa.recovery.heading'),
          field: {
            id: 'recovery-code',
            name: 'code',
            label: t('mfa.recovery.label'),
            hint: t('mfa.recovery.hint'),
            autocomplete: 'off',
            inputmode: 'text',
            pattern: undefined,
            maxlength: 40,
          },
          submitLabel: t('mfa.recovery.submit'),
        }
      : undefined,
    passkey: has('passkey')
      ? passkeyForm(
          { uid: input.uid, csrfToken: input.csrfToken, clientId: input.client.id },
          'second-factor',
          l,
        )
      : undefined,
    cancel: {
      id: CANCEL_FORM_ID,
      action: interactionPath(input.uid, 'abort'),
      csrfToken: input.csrfToken,
      clientId: input.client.id,
      label: t('mfa.cancel'),
    },
  };
}
