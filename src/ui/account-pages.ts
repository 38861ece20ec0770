import { deviceLabel } from './device-label.ts';
import { approximateAddress } from './approximate-address.ts';
import { formatTime } from './email-messages.ts';
import { isMessageKey } from './i18n/translate.ts';
import type { MessageKey } from './i18n/messages-en.ts';
import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise, type Localised } from './localise.ts';
import type {
  AccountFactorItem,
  AccountActivityPageLocals,
  AccountAppsPageLocals,
  AccountDataPageLocals,
  AccountFrame,
  AccountMessagePageLocals,
  AccountProfilePageLocals,
  AccountSessionsPageLocals,
  ConsentItem,
  FormField,
  ForgotPasswordPageLocals,
  PageName,
  PageNotice,
  ReauthField,
  ResetPasswordPageLocals,
} from './template-contract.ts';

/**
 * Page builders of the account lifecycle and account centre (issue 15): pure functions from
 * data to the locals of views/forgot-password.ejs, reset-password.ejs, account-message.ejs and
 * account-*.ejs. Every string translated here; ids fixed, so labels, hints and errors are tied
 * together with `for`, `aria-describedby` and `aria-invalid` (WCAG 2.2 SC 1.3.1, 3.3.1).
 */

export type NoticeInput = {
  kind: 'error' | 'success';
  key: MessageKey;
  params?: Record<string, string | number>;
};

const NOTICE_ID = 'page-notice';

function notice(l: Localised, input: NoticeInput | undefined): PageNotice | undefined {
  return input === undefined
    ? undefined
    : { id: NOTICE_ID, kind: input.kind, message: l.t(input.key, input.params) };
}

function field(
  id: string,
  label: string,
  options: { name?: string; value?: string; invalid?: boolean; describedBy?: string } = {},
): FormField {
  return {
    id,
    name: options.name ?? id,
    label,
    value: options.value ?? '',
    invalid: options.invalid ?? false,
    describedBy: options.describedBy,
  };
}

export interface ForgotPasswordInput extends PageContext {
  csrfToken: string;
  email?: string | undefined;
  error?: boolean | undefined;
}

export function forgotPasswordPage(input: ForgotPasswordInput): ForgotPasswordPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  return {
    layout: layoutLocals('forgot-password', t('forgot.title'), input, l),
    heading: t('forgot.heading'),
    intro: t('forgot.intro'),
    notice: input.error ? notice(l, { kind: 'error', key: 'forgot.error.invalid' }) : undefined,
    form: {
      action: '/forgot-password',
      csrfToken: input.csrfToken,
      submitLabel: t('forgot.submit'),
    },
    email: field('email', t('forgot.email'), {
      value: input.email ?? '',
      invalid: input.error === true,
      describedBy: input.error ? NOTICE_ID : undefined,
    }),
  };
}

export interface ResetPasswordInput extends PageContext {
  csrfToken: string;
  token: string;
  account: string;
  invitation: boolean;
  minLength: number;
  error?: 'mismatch' | 'tooShort' | 'tooLong' | undefined;
}

export function resetPasswordPage(input: ResetPasswordInput): ResetPasswordPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const hintId = 'password-hint';
  const errorKey: MessageKey | undefined =
    input.error === undefined ? undefined : `account.error.${input.error}`;
  const describedBy = input.error ? `${NOTICE_ID} ${hintId}` : hintId;
  return {
    // No language links: the page's address carries the link's token.
    layout: layoutLocals('reset-password', t('reset.title'), { ...input, here: undefined }, l),
    heading: t('reset.heading'),
    intro: input.invitation
      ? t('reset.invitationIntro', { account: input.account })
      : t('reset.intro', { account: input.account }),
    notice:
      errorKey === undefined
        ? undefined
        : notice(l, { kind: 'error', key: errorKey, params: { min: input.minLength } }),
    form: {
      action: '/reset-password',
      csrfToken: input.csrfToken,
      submitLabel: t('reset.submit'),
      token: input.token,
    },
    hint: { id: hintId, text: t('reset.hint', { min: input.minLength }) },
    password: field('password', t('reset.password'), {
      invalid: input.error !== undefined,
      describedBy,
    }),
    confirm: field('confirm', t('reset.confirm'), {
      invalid: input.error === 'mismatch',
      describedBy,
    }),
  };
}

export interface AccountMessageInput extends PageContext {
  title: MessageKey;
  paragraphs: { key: MessageKey; params?: Record<string, string | number> }[];
  link?: { href: string; key: MessageKey } | undefined;
  /** A confirm button (email confirmation links are confirmed by a POST, not by a prefetch). */
  form?: { action: string; csrfToken: string; token: string; key: MessageKey } | undefined;
}

export function accountMessagePage(input: AccountMessageInput): AccountMessagePageLocals {
  const l = localise(input.lang);
  const { t } = l;
  return {
    layout: layoutLocals('account-message', t(input.title), input, l),
    heading: t(input.title),
    paragraphs: input.paragraphs.map((p) => t(p.key, p.params)),
    link:
      input.link === undefined ? undefined : { href: input.link.href, label: t(input.link.key) },
    form:
      input.form === undefined
        ? undefined
        : {
            action: input.form.action,
            csrfToken: input.form.csrfToken,
            token: input.form.token,
            submitLabel: t(input.form.key),
          },
  };
}

export type AccountSection = 'profile' | 'sessions' | 'apps' | 'activity' | 'data';

const SECTIONS: readonly { section: AccountSection; href: string; key: MessageKey }[] = [
  { section: 'profile', href: '/account', key: 'account.nav.profile' },
  { section: 'sessions', href: '/account/sessions', key: 'account.nav.sessions' },
  { section: 'apps', href: '/account/apps', key: 'account.nav.apps' },
  { section: 'activity', href: '/account/activity', key: 'account.nav.activity' },
  { section: 'data', href: '/account/data', key: 'account.nav.data' },
];

export interface AccountPageContext extends PageContext {
  account: { username: string };
  csrfToken: string;
  notice?: NoticeInput | undefined;
  /** The sensitive forms ask for the current password (not signed in recently enough). */
  needsReauth: boolean;
}

function frame(
  section: AccountSection,
  headingKey: MessageKey,
  input: AccountPageContext,
  l: Localised,
): AccountFrame {
  const { t } = l;
  return {
    signedInAs: t('account.signedInAs', { account: input.account.username }),
    nav: {
      label: t('account.nav'),
      items: SECTIONS.map((s) => ({
        href: s.href,
        label: t(s.key),
        current: s.section === section,
      })),
    },
    signOut: { href: '/session/end', label: t('account.signOut') },
    heading: t(headingKey),
    notice: notice(l, input.notice),
  };
}

function layoutOf(
  page: PageName,
  section: AccountSection,
  input: AccountPageContext,
  l: Localised,
) {
  const key = SECTIONS.find((s) => s.section === section)?.key ?? 'account.title';
  return layoutLocals(page, `${l.t(key)} – ${l.t('account.title')}`, input, l);
}

function reauth(
  prefix: string,
  input: AccountPageContext,
  l: Localised,
  invalid: boolean,
): ReauthField | undefined {
  if (!input.needsReauth) return undefined;
  const hintId = `${prefix}-current-hint`;
  return {
    field: field(`${prefix}-current`, l.t('account.currentPassword'), {
      name: 'current_password',
      invalid,
      describedBy: invalid ? `${NOTICE_ID} ${hintId}` : hintId,
    }),
    hint: { id: hintId, text: l.t('account.currentPasswordHint') },
  };
}

export interface AccountProfileInput extends AccountPageContext {
  account: { username: string; name: string; email: string | undefined; emailVerified: boolean };
  minLength: number;
  /** Which form the notice is about, to mark its fields. */
  invalid?:
    'name' | 'email' | 'emailPassword' | 'password' | 'passwordNew' | 'factorPassword' | undefined;
  newEmail?: string | undefined;
  /** The user's second factors (issue 14; src/mfa/factor-summary.ts), never any secret. */
  factors?: AccountFactorsInput | undefined;
}

export interface AccountFactorsInput {
  totp: 'none' | 'pending' | 'active';
  totpCreatedAt: number | undefined;
  totpLastUsedAt: number | undefined;
  recoveryCodesLeft: number;
  passkeys: { id: string; name: string; createdAt: number; lastUsedAt: number | undefined }[];
}

export function accountProfilePage(input: AccountProfileInput): AccountProfilePageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const err = (which: AccountProfileInput['invalid']) => input.invalid === which;
  const described = (which: AccountProfileInput['invalid']) => (err(which) ? NOTICE_ID : undefined);
  const hintId = 'password-new-hint';
  return {
    layout: layoutOf('account-profile', 'profile', input, l),
    frame: frame('profile', 'account.profile.heading', input, l),
    profile: {
      usernameLabel: t('account.profile.username'),
      username: input.account.username,
      form: {
        action: '/account/profile',
        csrfToken: input.csrfToken,
        submitLabel: t('account.profile.save'),
      },
      name: field('name', t('account.profile.name'), {
        value: input.account.name,
        invalid: err('name'),
        describedBy: described('name'),
      }),
    },
    email: {
      heading: t('account.email.heading'),
      currentLabel: t('account.email.current'),
      current: input.account.email ?? t('account.email.none'),
      status:
        input.account.email === undefined
          ? ''
          : input.account.emailVerified
            ? t('account.email.verified')
            : t('account.email.unverified'),
      resend:
        input.account.email !== undefined && !input.account.emailVerified
          ? {
              action: '/account/email/verify',
              csrfToken: input.csrfToken,
              submitLabel: t('account.email.resend'),
            }
          : undefined,
      form: {
        action: '/account/email',
        csrfToken: input.csrfToken,
        submitLabel: t('account.email.submit'),
      },
      newEmail: field('new-email', t('account.email.new'), {
        name: 'email',
        value: input.newEmail ?? '',
        invalid: err('email'),
        describedBy: described('email'),
      }),
      reauth: reauth('email', input, l, err('emailPassword')),
    },
    password: {
      heading: t('account.password.heading'),
      form: {
        action: '/account/password',
        csrfToken: input.csrfToken,
        submitLabel: t('account.password.submit'),
      },
      // Always asked: a new password needs the current one (ASVS 6.2.3).
      current: field('password-current', t('account.currentPassword'), {
        name: 'current_password',
        invalid: err('password'),
        describedBy: described('password'),
      }),
      newPassword: field('password-new', t('account.password.new'), {
        name: 'password',
        invalid: err('passwordNew'),
        describedBy: err('passwordNew') ? `${NOTICE_ID} ${hintId}` : hintId,
      }),
      confirm: field('password-confirm', t('account.password.confirm'), {
        name: 'confirm',
        invalid: err('passwordNew'),
        describedBy: described('passwordNew'),
      }),
      hint: { id: hintId, text: t('reset.hint', { min: input.minLength }) },
    },
    factors: factorsLocals(input, l),
  };
}

function factorsLocals(
  input: AccountProfileInput,
  l: Localised,
): AccountProfilePageLocals['factors'] {
  const { t } = l;
  const f = input.factors;
  const when = (v: number | undefined) =>
    v === undefined ? t('account.factors.never') : formatTime(v, l.lang);
  const items: AccountFactorItem[] = [];
  const remove = (index: number, factor: string) => ({
    action: '/account/factors/remove',
    csrfToken: input.csrfToken,
    submitLabel: t('account.factors.remove'),
    factor,
    reauth: reauth(`factor-${String(index)}`, input, l, input.invalid === 'factorPassword'),
  });
  if (f?.totp === 'active') {
    items.push({
      id: 'factor-totp',
      label: t('account.factors.totp'),
      details: [
        { label: t('account.factors.added'), value: when(f.totpCreatedAt) },
        { label: t('account.factors.lastUsed'), value: when(f.totpLastUsedAt) },
        { label: t('account.factors.recoveryCodes'), value: String(f.recoveryCodesLeft) },
      ],
      remove: remove(0, 'totp'),
    });
  }
  for (const [i, p] of (f?.passkeys ?? []).entries()) {
    items.push({
      id: `factor-passkey-${String(i + 1)}`,
      label: t('account.factors.passkey', { name: p.name }),
      details: [
        { label: t('account.factors.added'), value: when(p.createdAt) },
        { label: t('account.factors.lastUsed'), value: when(p.lastUsedAt) },
      ],
      remove: remove(i + 1, `passkey:${p.id}`),
    });
  }
  return {
    heading: t('account.factors.heading'),
    text: items.length === 0 ? t('account.factors.none') : t('account.factors.intro'),
    items,
  };
}

export interface AccountSessionsInput extends AccountPageContext {
  sessions: {
    uid: string;
    current: boolean;
    signedInAt: number | undefined;
    lastUsedAt: number | undefined;
    userAgent: string | undefined;
    ip: string | undefined;
    apps: string[];
  }[];
}

export function accountSessionsPage(input: AccountSessionsInput): AccountSessionsPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const time = (v: number | undefined) =>
    v === undefined ? t('account.sessions.unknown') : formatTime(v, l.lang);
  return {
    layout: layoutOf('account-sessions', 'sessions', input, l),
    frame: frame('sessions', 'account.sessions.heading', input, l),
    intro: t('account.sessions.intro'),
    sessions: input.sessions.map((s, index) => ({
      id: `session-${index + 1}`,
      device: deviceLabel(s.userAgent, t),
      thisDevice: s.current ? t('account.sessions.thisDevice') : undefined,
      details: [
        { label: t('account.sessions.signedIn'), value: time(s.signedInAt) },
        { label: t('account.sessions.lastUsed'), value: time(s.lastUsedAt) },
        {
          label: t('account.sessions.address'),
          value: s.ip === undefined ? t('account.sessions.unknown') : approximateAddress(s.ip),
        },
        {
          label: t('account.sessions.apps'),
          value: s.apps.length > 0 ? s.apps.join(', ') : t('account.sessions.noApps'),
        },
      ],
      signOut: s.current
        ? undefined
        : {
            action: '/account/sessions/end',
            csrfToken: input.csrfToken,
            submitLabel: t('account.sessions.signOutOne'),
            sessionId: s.uid,
          },
    })),
    signOutOthers: input.sessions.some((s) => !s.current)
      ? {
          action: '/account/sessions/end-others',
          csrfToken: input.csrfToken,
          submitLabel: t('account.sessions.signOutOthers'),
        }
      : undefined,
  };
}

export interface AccountAppsInput extends AccountPageContext {
  apps: {
    grantId: string;
    clientId: string;
    name: string;
    scopes: string[];
    resources: Record<string, string[]>;
    grantedAt: number | undefined;
  }[];
}

function scopeItem(scope: string, l: Localised): ConsentItem {
  const key = `scope.${scope}`;
  return {
    name: scope,
    description: isMessageKey(l.messages, key) ? l.t(key) : l.t('scope.unknown', { scope }),
  };
}

export function accountAppsPage(input: AccountAppsInput): AccountAppsPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  return {
    layout: layoutOf('account-apps', 'apps', input, l),
    frame: frame('apps', 'account.apps.heading', input, l),
    intro: t('account.apps.intro'),
    empty: input.apps.length === 0 ? t('account.apps.none') : undefined,
    scopesLabel: t('account.apps.access'),
    apps: input.apps.map((app) => ({
      clientId: app.clientId,
      name: app.name,
      details: [
        {
          label: t('account.apps.since'),
          value:
            app.grantedAt === undefined
              ? t('account.sessions.unknown')
              : formatTime(app.grantedAt, l.lang),
        },
      ],
      scopes: [
        ...app.scopes.map((s) => scopeItem(s, l)),
        ...Object.entries(app.resources).flatMap(([api, scopes]) =>
          scopes.map((s) => ({ name: `${api} ${s}`, description: `${api}: ${s}` })),
        ),
      ],
      revoke: {
        action: '/account/apps/revoke',
        csrfToken: input.csrfToken,
        submitLabel: t('account.apps.revoke'),
        grantId: app.grantId,
      },
    })),
  };
}

export interface AccountActivityInput extends AccountPageContext {
  events: { time: number; type: string; ip?: string | undefined; clientId?: string | undefined }[];
}

export function accountActivityPage(input: AccountActivityInput): AccountActivityPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  return {
    layout: layoutOf('account-activity', 'activity', input, l),
    frame: frame('activity', 'account.activity.heading', input, l),
    intro: t('account.activity.intro'),
    empty: input.events.length === 0 ? t('account.activity.none') : undefined,
    columns: {
      when: t('account.activity.when'),
      what: t('account.activity.what'),
      where: t('account.activity.where'),
      app: t('account.activity.app'),
    },
    rows: input.events.map((e) => {
      const key = `event.${e.type}`;
      return {
        when: formatTime(e.time, l.lang),
        datetime: new Date(e.time).toISOString(),
        what: isMessageKey(l.messages, key)
          ? l.t(key)
          : t('account.activity.other', { type: e.type }),
        where: e.ip ?? '',
        app: e.clientId ?? '',
      };
    }),
  };
}

export interface AccountDataInput extends AccountPageContext {
  selfDelete: boolean;
  invalid?: 'password' | 'confirm' | undefined;
}

export function accountDataPage(input: AccountDataInput): AccountDataPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  return {
    layout: layoutOf('account-data', 'data', input, l),
    frame: frame('data', 'account.nav.data', input, l),
    exportHeading: t('account.data.exportHeading'),
    exportIntro: t('account.data.exportIntro'),
    exportForm: {
      action: '/account/data/export',
      csrfToken: input.csrfToken,
      submitLabel: t('account.data.export'),
    },
    deleteHeading: t('account.data.deleteHeading'),
    deleteIntro: t('account.data.deleteIntro'),
    deleteForm: input.selfDelete
      ? {
          action: '/account/data/delete',
          csrfToken: input.csrfToken,
          submitLabel: t('account.data.deleteSubmit'),
          reauth: reauth('delete', input, l, input.invalid === 'password'),
          confirm: field('delete-confirm', t('account.data.deleteConfirm'), {
            name: 'confirm',
            value: 'yes',
            invalid: input.invalid === 'confirm',
            describedBy: input.invalid === 'confirm' ? NOTICE_ID : undefined,
          }),
        }
      : undefined,
    notAllowed: input.selfDelete
      ? undefined
      : t('account.data.deleteNotAllowed', { productName: input.productName }),
  };
}
