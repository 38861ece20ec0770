import { languageSwitcher } from './language-switcher.ts';
import type { Localised } from './localise.ts';
import type { LayoutLocals, PageName } from './template-contract.ts';

/** What every page builder needs to build the layout. */
export interface PageContext {
  /** Product name shown in the header, titles and footer (operator-configurable). */
  productName: string;
  /** The negotiated language; unsupported languages fall back to English. */
  lang: string;
  /**
   * This page's own address (path and query, without `lang`) for the language switcher's links;
   * nothing when the page answers a POST. Anything but a same-origin path is ignored.
   */
  here?: string | undefined;
}

/** What `views/_layout.ejs` shows around a page: title, skip link, footer, language switcher. */
export function layoutLocals(
  page: PageName,
  title: string,
  context: PageContext,
  l: Localised,
): LayoutLocals {
  const productName = context.productName;
  return {
    lang: l.lang,
    page,
    documentTitle: l.t('layout.documentTitle', { page: title, productName }),
    productName,
    skipToContent: l.t('layout.skipToContent'),
    footer: l.t('layout.footer', { productName }),
    footerNavLabel: l.t('layout.footerNav'),
    languages: languageSwitcher(context.here, l),
  };
}
