import { UAParser } from 'ua-parser-js';
import type { Translate } from './i18n/translate.ts';

/**
 * A readable device from a User-Agent ("Firefox on Linux"), parsed with ua-parser-js (1.x, MIT),
 * never by our own patterns. Unknown or missing agents read "Unknown device".
 */
export function deviceLabel(userAgent: string | undefined, t: Translate): string {
  if (userAgent === undefined || userAgent === '') return t('account.sessions.unknownDevice');
  const parsed = new UAParser(userAgent.slice(0, 512)).getResult();
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser === undefined && os === undefined) return t('account.sessions.unknownDevice');
  if (browser === undefined) return os ?? t('account.sessions.unknownDevice');
  if (os === undefined) return browser;
  return t('account.sessions.device', { browser, os });
}
