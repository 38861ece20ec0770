import { clientBadge, type ClientInput } from './client-badge.ts';
import { interactionPath } from './interaction-path.ts';
import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import type { LoginPageLocals } from './template-contract.ts';
import { passkeyForm } from './passkey-form.ts';

export type LoginError = 'invalid_credentials' | 'csrf' | 'missing_fields';

export interface LoginPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  client: ClientInput;
  /** Re-filled after an error; the password never is. */
  username?: string | undefined;
  error?: LoginError | undefined;
  /** Offer "Sign in with a passkey" and passkey autofill (issue 14). */
  passkeys?: boolean | undefined;
  /** Where "Forgot your password?" leads (`/forgot-password`); no link when absent. */
  forgotPasswordHref?: string | undefined;
}

const LOGIN_ERROR_ID = 'login-error';
const LOGIN_CANCEL_FORM_ID = 'login-cancel';

export function loginPage(input: LoginPageInput): LoginPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const alert =
    input.error === undefined
      ? undefined
      : { id: LOGIN_ERROR_ID, message: t(`login.error.${input.error}`) };
  // A stale CSRF token says nothing about what was typed, so only credential errors mark the fields.
  const fieldsInvalid = input.error === 'invalid_credentials' || input.error === 'missing_fields';
  return {
    layout: layoutLocals('login', t('login.title'), input, l),
    client,
    heading: t('login.heading'),
    intro: t('login.intro', { client: client.name }),
    alert,
    invalidFieldsDescribedBy: fieldsInvalid ? LOGIN_ERROR_ID : undefined,
    form: {
      action: interactionPath(input.uid, 'login'),
      csrfToken: input.csrfToken,
      clientId: input.client.id,
      submitLabel: t('login.submit'),
    },
    username: { label: t('login.username'), value: input.username ?? '' },
    password: { label: t('login.password') },
    cancel: {
      id: LOGIN_CANCEL_FORM_ID,
      action: interactionPath(input.uid, 'abort'),
      csrfToken: input.csrfToken,
      clientId: input.client.id,
      label: t('login.cancel'),
    },
    passkey: input.passkeys
      ? passkeyForm(
          { uid: input.uid, csrfToken: input.csrfToken, clientId: input.client.id },
          'passwordless',
          l,
        )
      : undefined,
    // WHATWG autofill: `webauthn` lets the browser offer passkeys in this field (conditional UI).
    usernameAutocomplete: input.passkeys ? 'username webauthn' : 'username',
    forgotPassword:
      input.forgotPasswordHref === undefined
        ? undefined
        : { href: input.forgotPasswordHref, label: t('login.forgotPassword') },
  };
}
