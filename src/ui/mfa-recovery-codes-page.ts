import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import { mfaPath } from './mfa-paths.ts';
import type { MfaRecoveryCodesPageLocals } from './template-contract.ts';

export interface MfaRecoveryCodesPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  clientId: string | undefined;
  codes: readonly string[];
  /** Proof, for the continue form, that this interaction passed the second factor. */
  pass: string;
  /** Set instead of `codes`: a recovery code was just used and only this many are left. */
  fewLeft?: number | undefined;
}

export function mfaRecoveryCodesPage(input: MfaRecoveryCodesPageInput): MfaRecoveryCodesPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  return {
    // Shown once, in answer to a POST: no language switcher (it would re-fetch nothing).
    layout: layoutLocals(
      'mfa-recovery-codes',
      t('mfaCodes.title'),
      { ...input, here: undefined },
      l,
    ),
    heading: input.fewLeft === undefined ? t('mfaCodes.heading') : t('mfaCodes.lowHeading'),
    intro:
      input.fewLeft === undefined
        ? t('mfaCodes.intro')
        : t('mfaCodes.lowIntro', { count: String(input.fewLeft) }),
    listLabel: t('mfaCodes.listLabel'),
    codes: [...input.codes],
    form: {
      action: mfaPath(input.uid, 'continue'),
      csrfToken: input.csrfToken,
      clientId: input.clientId,
      pass: input.pass,
      submitLabel: input.fewLeft === undefined ? t('mfaCodes.continue') : t('mfaCodes.later'),
    },
    regenerate:
      input.fewLeft === undefined
        ? undefined
        : {
            action: mfaPath(input.uid, 'regenerate'),
            csrfToken: input.csrfToken,
            clientId: input.clientId,
            pass: input.pass,
            submitLabel: t('mfaCodes.regenerate'),
          },
  };
}
