import type { MessageCatalogue, MessageKey } from './messages-en.ts';

/** Values a message's `{name}` placeholders are filled with. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** Looks a key up in one catalogue and fills its placeholders. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/**
 * Builds the translation function for one catalogue.
 *
 * Placeholders are replaced in a single pass, so a value that itself contains `{name}` (a hostile
 * client name, say) is inserted as it is and never expanded again. A placeholder without a value
 * is left visible rather than silently emptied, so a missing parameter shows up in tests and
 * screenshots. The result is plain text: the templates escape it (`<%= %>`).
 */
export function createTranslator(catalogue: MessageCatalogue): Translate {
  return function translate(key, params) {
    const template = catalogue[key];
    if (params === undefined) return template;
    return template.replace(PLACEHOLDER, (whole, name: string) => {
      const value = Object.hasOwn(params, name) ? params[name] : undefined;
      return value === undefined ? whole : String(value);
    });
  };
}

/** True when `key` names a message, so dynamic keys (`scope.<name>`) can fall back safely. */
export function isMessageKey(catalogue: MessageCatalogue, key: string): key is MessageKey {
  return Object.hasOwn(catalogue, key);
}
