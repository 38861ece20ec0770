import type { Translate } from './i18n/translate.ts';
import type { ClientBadge } from './template-contract.ts';
import { safeLogoSrc } from './url-safety.ts';

/** The client as the routes know it (from oidc-provider's `client.clientName`, `logoUri`, `clientUri`). */
export interface ClientInput {
  /** The `client_id`; carried in the forms so an expired sign-in can still name the app. */
  id?: string | undefined;
  name: string | undefined;
  logoUri?: string | undefined;
  /**
   * `client_uri`. Not linked on login or consent (RFC 9700 §4.2.4: authorization pages should not
   * carry third-party links); only the expired page links it, when the app registered no
   * `initiate_login_uri`, and only over https.
   */
  uri?: string | undefined;
  /** `initiate_login_uri` (OIDC Registration §2: https, starts a sign-in at the app). */
  initiateLoginUri?: string | undefined;
}

function clientName(name: string | undefined, t: Translate): string {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? t('client.unnamed') : trimmed;
}

/** The app a user is signing in to, as login and consent show it (`views/partials/client.ejs`). */
export function clientBadge(client: ClientInput, t: Translate): ClientBadge {
  const name = clientName(client.name, t);
  // Array.from splits by code point, so a name starting with an emoji or a non-BMP letter keeps it whole.
  const monogram = (Array.from(name)[0] ?? '').toLocaleUpperCase();
  return { name, logoSrc: safeLogoSrc(client.logoUri), monogram };
}
