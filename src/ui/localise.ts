import { createTranslator } from './i18n/translate.ts';
import type { Translate } from './i18n/translate.ts';
import { selectCatalogue } from './i18n/select-catalogue.ts';
import type { MessageCatalogue } from './i18n/messages-en.ts';

/** A page's language with its translator and catalogue, as every page builder uses them. */
export interface Localised {
  t: Translate;
  messages: MessageCatalogue;
  /** The language actually used: unsupported languages fall back to English. */
  lang: string;
}

export function localise(lang: string): Localised {
  const selected = selectCatalogue(lang);
  return {
    t: createTranslator(selected.messages),
    messages: selected.messages,
    lang: selected.lang,
  };
}
