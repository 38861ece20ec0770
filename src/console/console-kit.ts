import type { Router } from '@koa/router';
import type { Context } from 'koa';
import type { AccountService } from '../accounts/account-service.ts';
import type { AdminServices } from '../admin/admin-services.ts';
import type { Actor } from '../admin/audit-log.ts';
import type { Config } from '../config/schema.ts';
import { AppError } from '../errors/app-error.ts';
import { ERROR_CODES } from '../errors/error-codes.ts';
import { createCsrf } from '../interactions/csrf.ts';
import type { Logger } from '../logging/logger.ts';
import type { OidcModelStore, SecurityEvent } from '../storage/ports.ts';
import { requestLanguage } from '../ui/i18n/request-language.ts';
import { CONSOLE_PATH, type ConsoleSession } from './console-auth.ts';
import { consoleMessages, type ConsoleMessages } from './console-messages.ts';
import type { ConsoleRenderer } from './console-renderer.ts';
import type {
  ConsoleCell,
  ConsoleForm,
  ConsolePage,
  ConsoleSection,
  ConsoleTable,
} from './console-view-model.ts';

export interface ConsoleDeps {
  config: Pick<Config, 'console' | 'server'>;
  services: AdminServices;
  accounts: Pick<AccountService, 'findById'>;
  oidc: OidcModelStore;
  render: ConsoleRenderer;
  cookieKeys: readonly string[];
  verificationKeys: () => { keys: Record<string, unknown>[] };
  log: Logger;
  now?: () => number;
}

/** What the guard (console-router.ts) leaves on `ctx.state.console` for every section. */
export interface ConsoleState {
  session: ConsoleSession;
  t: ConsoleMessages;
  lang: string;
}

/** The sections in the navigation, in its order: message key and path under /console. */
export const CONSOLE_SECTIONS = [
  ['dashboard', ''],
  ['clients', '/clients'],
  ['apis', '/apis'],
  ['users', '/users'],
  ['roles', '/roles'],
  ['groups', '/groups'],
  ['attributes', '/attributes'],
  ['iats', '/iats'],
  ['keys', '/keys'],
  ['webhooks', '/webhooks'],
  ['deliveries', '/deliveries'],
  ['events', '/events'],
  ['audit', '/audit'],
] as const;
export type ConsoleSectionKey = (typeof CONSOLE_SECTIONS)[number][0];

const LANGUAGE_NAMES = { en: 'English', de: 'Deutsch' } as const;

export const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{(\w+)\}/g, (_m, key: string) => values[key] ?? '');
export const when = (ms: number | string | null | undefined) =>
  ms === null || ms === undefined ? '–' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
export const cell = (text: string, href?: string): ConsoleCell => ({ text, href });
/** Lines of a textarea, trimmed, without empty ones. */
export const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter((u) => u !== '');
/** Space- or comma-separated words of a text field. */
export const words = (text: string | undefined) =>
  (text ?? '').split(/[\s,]+/).filter((w) => w !== '');
export const enc = encodeURIComponent;
/** A whole number typed into a form as a number; anything else as typed, for the schema to refuse. */
export const wholeNumber = (text: string | undefined): number | string | undefined => {
  const value = (text ?? '').trim();
  if (value === '') return undefined;
  return /^-?\d{1,15}$/.test(value) ? Number(value) : value;
};

/** The `cursor` of a list page's query (the store's continuation, bounded in length). */
export const cursorOf = (ctx: Context): string | undefined =>
  typeof ctx.query.cursor === 'string' ? ctx.query.cursor.slice(0, 1024) : undefined;
/** A list's link to its next page when the store says there is one; `also` keeps more of the query. */
export const nextPage = (
  t: ConsoleMessages,
  href: string,
  cursor: string | undefined,
  also = '',
): ConsoleTable['next'] =>
  cursor ? { href: `${href}?cursor=${enc(cursor)}${also}`, label: t.more } : undefined;
/** A section that lists: its heading names the table, and an empty list says there is nothing. */
export const listSection = (
  t: ConsoleMessages,
  heading: string,
  table: Omit<ConsoleTable, 'caption' | 'empty'>,
  more: Omit<ConsoleSection, 'heading' | 'table'> = {},
): ConsoleSection => ({
  heading,
  ...more,
  table: { caption: heading, ...table, empty: t.nothing },
});
/**
 * A secret shown on this answer only and never again (a client secret, a webhook's signing
 * secret, an initial access token), so the admin copies it now; no secret, no section.
 */
export const onceSecret = (
  t: ConsoleMessages,
  value: string | undefined,
  heading: string,
  label: string,
): ConsoleSection[] =>
  value === undefined ? [] : [{ heading, text: [t.secretOnce], secret: { label, value } }];
/** The search text of a list page (`q`), bounded, lower case as the lists compare it. */
export const searchOf = (ctx: Context): string =>
  typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 100).toLowerCase() : '';

/** A list's search form (a GET: it changes nothing, so no CSRF token), with the list's links. */
export const searchSection = (
  t: ConsoleMessages,
  action: string,
  q: string,
  links: NonNullable<ConsoleSection['links']>,
): ConsoleSection => ({
  heading: t.search,
  forms: [
    {
      action,
      method: 'get',
      submit: t.search,
      label: t.search,
      fields: [{ name: 'q', label: t.searchLabel, type: 'search', value: q }],
    },
  ],
  links,
});

/**
 * A record's page that changes come back to: the route parameter naming the record, the page's
 * path and the page itself (with what was wrong and what was typed, when a change was refused).
 */
export interface RecordPage {
  param: string;
  path: (key: string) => string;
  show: (
    ctx: Context,
    key: string,
    notice: ConsolePage['notice'],
    typed: Record<string, string>,
  ) => Promise<void>;
}

/** What a confirmation page says; `key` is the record's own (canonical) name when it has one. */
export interface Confirmation {
  key?: string;
  heading: string;
  text: string;
  /** The confirm button, when it says more than "Confirm". */
  submit?: string;
  back: string;
}

/**
 * What every console section uses: the page frame (navigation, languages, sign-out), the CSRF
 * token of the session, the actor for the audit log, the fresh-sign-in rule for dangerous actions
 * and the way a service's refusal is shown. One per console (console-router.ts makes it).
 */
export function createConsoleKit(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  const { config } = deps;
  const csrf = createCsrf(deps.cookieKeys);

  const languageOf = (ctx: Context) => (requestLanguage(ctx) === 'de' ? 'de' : 'en');
  const state = (ctx: Context): ConsoleState => ctx.state.console as ConsoleState;

  function page(
    ctx: Context,
    parts: {
      heading: string;
      sections: ConsoleSection[];
      notice?: ConsolePage['notice'];
      current?: string;
      session?: ConsoleSession | undefined;
    },
  ): Promise<string> {
    const lang = languageOf(ctx);
    const t = consoleMessages(lang);
    const path = ctx.path;
    const query = new URLSearchParams(ctx.querystring);
    query.delete('lang');
    const base = `${path}${query.size > 0 ? `?${query.toString()}&` : '?'}`;
    return deps.render({
      lang,
      documentTitle: `${parts.heading} – ${t.title}`,
      heading: parts.heading,
      t: { title: t.title, skip: t.skip, nav: t.nav, signOut: t.signOut, languages: t.languages },
      nav: parts.session
        ? CONSOLE_SECTIONS.map(([key, href]) => ({
            href: `${CONSOLE_PATH}${href}`,
            label: t[key],
            current: parts.current === key,
          }))
        : undefined,
      signedInAs: parts.session ? fill(t.signedInAs, { name: parts.session.username }) : undefined,
      signOut: parts.session
        ? { action: `${CONSOLE_PATH}/logout`, csrf: csrf.token(`console:${parts.session.sid}`) }
        : undefined,
      languages: (['en', 'de'] as const).map((l) => ({
        lang: l,
        name: LANGUAGE_NAMES[l],
        href: ctx.method === 'GET' ? `${base}lang=${l}` : `${CONSOLE_PATH}?lang=${l}`,
        current: l === lang,
      })),
      notice: parts.notice,
      sections: parts.sections,
    });
  }

  async function show(ctx: Context, status: number, html: Promise<string>): Promise<void> {
    const body = await html;
    ctx.status = status;
    ctx.type = 'html';
    ctx.body = body;
  }

  /** A page outside a session (403, a failed sign-in, signed out): one section, no navigation. */
  const bare = (ctx: Context, status: number, section: ConsoleSection): Promise<void> =>
    show(ctx, status, page(ctx, { heading: section.heading, sections: [section] }));

  /** A page of a signed-in section. */
  function view(
    ctx: Context,
    parts: {
      heading: string;
      current: ConsoleSectionKey;
      sections: ConsoleSection[];
      notice?: ConsolePage['notice'];
    },
    status = 200,
  ): Promise<void> {
    return show(ctx, status, page(ctx, { ...parts, session: state(ctx).session }));
  }

  const actorOf = (ctx: Context): Actor => ({
    actor: `console:${state(ctx).session.username}`,
    ip: ctx.ip || undefined,
    userAgent: ctx.get('user-agent') || undefined,
    requestId: typeof ctx.state.requestId === 'string' ? ctx.state.requestId : undefined,
  });

  const token = (ctx: Context) => csrf.token(`console:${state(ctx).session.sid}`);
  const post = (
    ctx: Context,
    action: string,
    submit: string,
    extra: Partial<ConsoleForm> = {},
  ): ConsoleForm => ({
    action,
    method: 'post',
    submit,
    fields: [],
    csrf: token(ctx),
    ...extra,
  });

  /** Dangerous actions want a recent sign-in (OIDC Core §3.1.2.1 `max_age`). */
  function fresh(ctx: Context, returnTo: string): boolean {
    const { session } = state(ctx);
    if (Math.floor(now() / 1000) - session.authTime <= config.console.reauthSeconds) return true;
    ctx.status = 303;
    ctx.redirect(
      `${CONSOLE_PATH}/login?max_age=${String(config.console.reauthSeconds)}&return=${encodeURIComponent(returnTo)}`,
    );
    return false;
  }

  /** The POST form the guard read and checked (CSRF). */
  const form = (ctx: Context): Record<string, string> => ctx.state.form as Record<string, string>;

  /** POST-redirect-GET: after a change, the page to look at, with a status line. */
  function redirect(ctx: Context, to: string, done = true): void {
    ctx.status = 303;
    ctx.redirect(done ? `${to}${to.includes('?') ? '&' : '?'}done=1` : to);
  }

  /** The "Saved." line on the page a change redirected to. */
  const savedNotice = (ctx: Context): ConsolePage['notice'] =>
    ctx.query.done === '1' ? { kind: 'status', text: state(ctx).t.saved } : undefined;

  /** An admin-service refusal shown on the page it came from, with what was wrong. */
  function refusal(err: unknown): string | undefined {
    if (!(err instanceof AppError) || err.status >= 500) return undefined;
    const details = Object.entries(err.details ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    return `${ERROR_CODES[err.code].message}${details ? ` (${details})` : ''}`;
  }

  /**
   * Runs a change; a refusal (any 4xx) is shown with `again` and 400, so the admin sees what was
   * wrong next to the form they sent. When the page itself is gone, `again` answers 404.
   */
  async function attempt(
    ctx: Context,
    change: () => Promise<void>,
    again: (notice: ConsolePage['notice']) => Promise<void>,
  ): Promise<void> {
    try {
      await change();
    } catch (err) {
      const message = refusal(err);
      if (message === undefined) throw err;
      await again({ kind: 'alert', text: message });
      ctx.status = 400;
    }
  }

  function eventTable(
    t: ConsoleMessages,
    caption: string,
    items: SecurityEvent[],
    next: ConsoleTable['next'],
  ): ConsoleTable {
    return {
      caption,
      headers: [t.time, t.type, t.subject, t.client, t.actor, t.details],
      rows: items.map((e) => [
        cell(when(e.time)),
        cell(e.type),
        cell(
          e.subject ?? '–',
          e.subject ? `${CONSOLE_PATH}/users/${encodeURIComponent(e.subject)}` : undefined,
        ),
        cell(e.clientId ?? '–'),
        cell(e.actor ?? '–'),
        cell(
          Object.entries(e.details ?? {})
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(' '),
        ),
      ]),
      empty: t.nothing,
      next,
    };
  }

  /** A confirmation page before a dangerous action (the form is posted from here only). */
  function confirmPage(
    ctx: Context,
    parts: {
      current: ConsoleSectionKey;
      heading: string;
      text: string;
      action: string;
      back: string;
      submit?: string | undefined;
    },
  ): Promise<void> {
    const { t } = state(ctx);
    const submit = parts.submit ?? t.confirm;
    return view(ctx, {
      heading: parts.heading,
      current: parts.current,
      sections: [
        {
          heading: parts.heading,
          text: [parts.text],
          forms: [post(ctx, parts.action, submit, { danger: true, label: submit })],
          links: [{ href: parts.back, label: t.cancel }],
        },
      ],
    });
  }

  /**
   * A POST that changes the record of `record.param`: done, back to its page (POST-redirect-GET);
   * refused, the page again with what was wrong and what was typed. A `dangerous` change wants a
   * fresh sign-in first (back to the record's page).
   */
  function change(
    record: RecordPage,
    apply: (key: string, f: Record<string, string>, ctx: Context) => Promise<unknown>,
    options: { dangerous?: boolean } = {},
  ): (ctx: Context) => Promise<void> {
    return async (ctx) => {
      const key = ctx.params[record.param] ?? '';
      if (options.dangerous && !fresh(ctx, record.path(key))) return;
      const f = form(ctx);
      await attempt(
        ctx,
        async () => {
          await apply(key, f, ctx);
          redirect(ctx, record.path(key));
        },
        (notice) => record.show(ctx, key, notice, f),
      );
    };
  }

  /**
   * A dangerous action on a path of its own (`route`, with at most one parameter, the record's
   * key): GET asks (the form is posted from that page only), POST wants a fresh sign-in (back to
   * that page), then acts. `confirm` answers by itself (returning nothing) when there is nothing
   * to confirm.
   */
  function confirmed(
    router: Router,
    route: string,
    spec: {
      current: ConsoleSectionKey;
      confirm: (ctx: Context, key: string, t: ConsoleMessages) => Promise<Confirmation | undefined>;
      act: (ctx: Context, key: string) => Promise<void>;
    },
  ): void {
    const param = /:(\w+)/.exec(route)?.[1];
    const keyOf = (ctx: Context) => (param === undefined ? '' : (ctx.params[param] ?? ''));
    const path = (key: string) => `${CONSOLE_PATH}${route.replace(/:\w+/, () => enc(key))}`;
    router.get(route, async (ctx) => {
      const key = keyOf(ctx);
      const asked = await spec.confirm(ctx, key, state(ctx).t);
      if (asked === undefined) return;
      await confirmPage(ctx, {
        current: spec.current,
        heading: asked.heading,
        text: asked.text,
        submit: asked.submit,
        action: path(asked.key ?? key),
        back: asked.back,
      });
    });
    router.post(route, async (ctx) => {
      const key = keyOf(ctx);
      if (!fresh(ctx, path(key))) return;
      await spec.act(ctx, key);
    });
  }

  return {
    deps,
    now,
    csrf,
    languageOf,
    state,
    page,
    show,
    bare,
    view,
    actorOf,
    post,
    fresh,
    form,
    redirect,
    savedNotice,
    refusal,
    attempt,
    eventTable,
    confirmPage,
    change,
    confirmed,
  };
}

export type ConsoleKit = ReturnType<typeof createConsoleKit>;
