import type { ClientInput } from './client-badge.ts';
import { selectCatalogue } from './i18n/select-catalogue.ts';
import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise } from './localise.ts';
import { optionalName } from './optional-name.ts';
import type { ErrorPageLocals } from './template-contract.ts';
import { safeBackHref, safeHttpsUrl } from './url-safety.ts';

export interface ErrorPageInput extends PageContext {
  status: number;
  title?: string | undefined;
  /** Shown for 4xx only; 5xx always get the catalogue's generic text (ASVS 16.5.1). */
  message?: string | undefined;
  /**
   * The language `title` and `message` are written in: English unless said otherwise, as OAuth
   * error descriptions (RFC 6749 §5.2) and our error catalogue are. When the page is in another
   * language, the page's own text is shown and the caller's becomes `detail`.
   */
  messageLang?: string | undefined;
  requestId: string;
  /** A same-origin path (`/…`); anything else is dropped so the page cannot link off-site (RFC 9700 §4.11.1). */
  backUrl?: string | undefined;
}

export interface ExpiredPageInput extends PageContext {
  requestId: string;
  /** The app the expired sign-in was for, when the posted form named a registered one. */
  client?: ClientInput | undefined;
}

/** The language of caller text on the error page unless the caller says otherwise. */
const DEFAULT_MESSAGE_LANG = 'en';
/** Caller text on the error page is cut to one line of this length, so a stack can never show. */
const MAX_ERROR_TEXT = 300;

/** First line of caller text, bounded, or nothing: a stack trace can never reach the page. */
function oneLine(text: string | undefined): string | undefined {
  const first = text?.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (first === '') return undefined;
  return first.length > MAX_ERROR_TEXT ? `${first.slice(0, MAX_ERROR_TEXT - 1)}…` : first;
}

export function errorPage(input: ErrorPageInput): ErrorPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const status = input.status;
  // Anything that is not a 4xx (5xx, or a status that makes no sense here) is treated as ours.
  const serverSide = !(Number.isInteger(status) && status >= 400 && status < 500);
  let defaults: { title: string; message: string };
  if (serverSide) defaults = { title: t('error.title.5xx'), message: t('error.message.5xx') };
  else if (status === 404)
    defaults = { title: t('error.title.404'), message: t('error.message.404') };
  else if (status === 429)
    defaults = { title: t('error.title.429'), message: t('error.message.429') };
  else defaults = { title: t('error.title.4xx'), message: t('error.message.4xx') };
  // 5xx are hidden (Koa's `expose` rule, ASVS 16.5.1): whatever the caller passes, the page shows
  // only the catalogue's text and the request id, so an internal message can never leak.
  const callerTitle = serverSide ? undefined : oneLine(input.title);
  const callerMessage = serverSide ? undefined : oneLine(input.message);
  // Caller text in another language than the page is not mixed into its sentences: the page
  // speaks its own language and the caller's words follow as marked technical details.
  const callerLang = selectCatalogue(input.messageLang ?? DEFAULT_MESSAGE_LANG).lang;
  const sameLanguage = callerLang === l.lang;
  const heading = (sameLanguage ? callerTitle : undefined) ?? defaults.title;
  const message = (sameLanguage ? callerMessage : undefined) ?? defaults.message;
  const backHref = safeBackHref(input.backUrl);
  return {
    layout: layoutLocals('error', heading, input, l),
    heading,
    message,
    reference: t('error.reference', { requestId: input.requestId }),
    referenceHint: t('error.referenceHint'),
    detail:
      sameLanguage || callerMessage === undefined
        ? undefined
        : { label: t('error.detail'), text: callerMessage, lang: callerLang },
    back: backHref === undefined ? undefined : { href: backHref, label: t('error.back') },
    app: undefined,
  };
}

/**
 * The page for a sign-in that expired (or whose cookie is gone): says what happened and that
 * nothing was sent, and offers a way back to the app. The link goes only to the app's registered
 * `initiate_login_uri`, else its `client_uri`, and only over https; without either (or without
 * knowing the app) the page says where to start again instead. It is the error page's template
 * with its own text, so it lives with `errorPage`.
 */
export function expiredPage(input: ExpiredPageInput): ErrorPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const name = optionalName(input.client?.name);
  const href = safeHttpsUrl(input.client?.initiateLoginUri) ?? safeHttpsUrl(input.client?.uri);
  const heading = t('expired.title');
  return {
    layout: layoutLocals('error', heading, input, l),
    heading,
    message:
      name === undefined ? t('expired.message') : t('expired.messageClient', { client: name }),
    reference: t('error.reference', { requestId: input.requestId }),
    referenceHint: t('error.referenceHint'),
    detail: undefined,
    back: undefined,
    app:
      href === undefined
        ? undefined
        : {
            href,
            label:
              name === undefined ? t('expired.backToApp') : t('expired.backTo', { client: name }),
          },
  };
}
