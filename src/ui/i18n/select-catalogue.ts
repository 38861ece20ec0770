import { messagesDe } from './messages-de.ts';
import { messagesEn } from './messages-en.ts';
import type { MessageCatalogue } from './messages-en.ts';

/** A catalogue and the BCP 47 tag of the language it is written in. */
export interface SelectedCatalogue {
  /** The language the page is really in: the `<html lang>` value (WCAG 2.2 SC 3.1.1). */
  readonly lang: string;
  readonly messages: MessageCatalogue;
}

/**
 * The languages we have catalogues for, by primary language subtag (RFC 5646 §2.2.1). A new
 * language is one file `messages-<tag>.ts` typed `MessageCatalogue` plus one line here.
 */
const CATALOGUES: Readonly<Record<string, MessageCatalogue>> = {
  en: messagesEn,
  de: messagesDe,
};

/**
 * Each language's name in that language (its endonym), for the language switcher: someone who
 * cannot read the current page still recognises "English" or "Deutsch".
 */
export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: 'English',
  de: 'Deutsch',
};

export const DEFAULT_LANGUAGE = 'en';

/** The language tags we can render, for negotiation (`ui_locales`, `Accept-Language`). */
export const SUPPORTED_LANGUAGES: readonly string[] = Object.keys(CATALOGUES);

/**
 * The catalogue for an already negotiated language tag. Matching is by primary subtag
 * (`en-GB` → `en`); anything we do not have falls back to English, and `lang` then says `en`, so
 * the page never claims a language its text is not in.
 */
export function selectCatalogue(lang: string | undefined): SelectedCatalogue {
  const primary = (lang ?? '').trim().toLowerCase().split('-')[0] ?? '';
  const messages = Object.hasOwn(CATALOGUES, primary) ? CATALOGUES[primary] : undefined;
  if (messages !== undefined) return { lang: primary, messages };
  return { lang: DEFAULT_LANGUAGE, messages: messagesEn };
}
