import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import { optionalName } from './optional-name.ts';
import type { LoggedOutPageLocals } from './template-contract.ts';

export interface LoggedOutPageInput extends PageContext {
  clientName?: string | undefined;
  /** The user chose "Stay signed in": their session with us still exists. */
  stillSignedIn?: boolean | undefined;
}

export function loggedOutPage(input: LoggedOutPageInput): LoggedOutPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = optionalName(input.clientName);
  if (input.stillSignedIn) {
    // oidc-provider sends both answers of the logout confirmation to this page; when the user
    // stayed, saying "signed out" would be false (and would teach people to ignore it).
    const productName = input.productName;
    return {
      layout: layoutLocals('logged-out', t('loggedOut.stayedTitle'), input, l),
      heading: t('loggedOut.stayedHeading'),
      message:
        client === undefined
          ? t('loggedOut.stayedMessage', { productName })
          : t('loggedOut.stayedMessageClient', { client, productName }),
      hint: t('loggedOut.hint'),
    };
  }
  return {
    layout: layoutLocals('logged-out', t('loggedOut.title'), input, l),
    heading: t('loggedOut.heading'),
    message:
      client === undefined ? t('loggedOut.message') : t('loggedOut.messageClient', { client }),
    hint: t('loggedOut.hint'),
  };
}
