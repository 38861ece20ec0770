import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import { optionalName } from './optional-name.ts';
import { OIDC_PROVIDER_LOGOUT_FORM_ID } from './template-contract.ts';
import type { LogoutPageLocals } from './template-contract.ts';

export interface LogoutPageInput extends PageContext {
  formHtml: string;
  clientName?: string | undefined;
}

export function logoutPage(input: LogoutPageInput): LogoutPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = optionalName(input.clientName);
  const productName = input.productName;
  return {
    layout: layoutLocals('logout', t('logout.title'), input, l),
    heading: t('logout.heading'),
    intro:
      client === undefined
        ? t('logout.intro', { productName })
        : t('logout.introClient', { client, productName }),
    formHtml: input.formHtml,
    formId: OIDC_PROVIDER_LOGOUT_FORM_ID,
    confirmLabel: t('logout.confirm'),
    stayLabel: t('logout.stay'),
  };
}
