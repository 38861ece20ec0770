import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import type { HomePageLocals } from './template-contract.ts';

export interface HomePageInput extends PageContext {
  issuer: string;
}

/** The discovery document's path under the issuer (OpenID Connect Discovery 1.0 §4). */
function discoveryPath(issuer: string): string {
  let path = '';
  try {
    path = new URL(issuer).pathname.replace(/\/+$/, '');
  } catch {
    // An unparsable issuer cannot happen after config validation; the root path is the safe guess.
  }
  return `${path}/.well-known/openid-configuration`;
}

export function homePage(input: HomePageInput): HomePageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const productName = input.productName;
  return {
    layout: layoutLocals('home', t('home.title'), input, l),
    heading: t('home.heading', { productName }),
    intro: t('home.intro', { productName }),
    forDevelopers: t('home.forDevelopers'),
    issuerLabel: t('home.issuer'),
    issuer: input.issuer,
    discoveryLabel: t('home.discovery'),
    discoveryHref: discoveryPath(input.issuer),
  };
}
