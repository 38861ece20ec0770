import { ASSETS_PATH } from './template-contract.ts';
import type { SiteLocals } from './template-contract.ts';
import { safeBackHref, safeHttpsUrl } from './url-safety.ts';

export interface SiteInput {
  /** `ui.logoUrl`; our own logo when absent. */
  logoUrl?: string | undefined;
  /** `ui.footerLinks`. */
  footerLinks?: readonly { readonly label: string; readonly url: string }[] | undefined;
  /** Where the generated theme stylesheet is served (src/ui/theme-stylesheet.ts). */
  themeStylesheetHref?: string | undefined;
}

/**
 * What every page shows from configuration (`ui.*`): the logo, our stylesheet then the theme's,
 * and the footer links. Only same-origin paths and https URLs get through (the configuration
 * schema already insists; this keeps the renderer safe on its own). Without input: our logo and
 * stylesheet, no theme, no links.
 */
export function siteLocals(input: SiteInput = {}): SiteLocals {
  const footerLinks = (input.footerLinks ?? []).flatMap((link) => {
    const href = safeBackHref(link.url) ?? safeHttpsUrl(link.url);
    const label = link.label.trim();
    return href === undefined || label === '' ? [] : [{ label, href }];
  });
  const logo =
    input.logoUrl === undefined
      ? undefined
      : (safeBackHref(input.logoUrl) ?? safeHttpsUrl(input.logoUrl));
  return {
    logoSrc: logo ?? `${ASSETS_PATH}/logo.svg`,
    stylesheetHrefs: [
      `${ASSETS_PATH}/portcullis.css`,
      ...(input.themeStylesheetHref === undefined ? [] : [input.themeStylesheetHref]),
    ],
    footerLinks,
  };
}
