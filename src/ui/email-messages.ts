import { localise } from './localise.ts';
import type { EmailLocals, EmailName } from './template-contract.ts';

/** What every message needs: its language, the product and whom it addresses. */
export interface EmailContext {
  lang: string;
  productName: string;
  /** How the account is named in the text (its username). */
  account: string;
  /** The greeting's name: the user's name, else the username. */
  name: string;
}

/** Each message and what it says besides the context. */
export type EmailInput =
  | { name: 'password-reset'; link: string; minutes: number }
  | { name: 'password-changed'; time: number }
  | { name: 'email-verification'; link: string; email: string; hours: number }
  | { name: 'email-change'; link: string; email: string; hours: number }
  | { name: 'email-change-notice'; email: string }
  | { name: 'invitation'; link: string; days: number }
  | { name: 'new-device'; link: string; time: number; device: string; address: string }
  | { name: 'account-deleted'; time: number };

/** A date and time as people of that language write it, in UTC (the server knows no zone). */
export function formatTime(time: number, lang: string): string {
  return `${new Intl.DateTimeFormat(lang, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(time))} UTC`;
}

/** The locals of one email (src/ui/template-contract.ts `EmailLocals`), all text translated. */
export function emailMessage(context: EmailContext, input: EmailInput): EmailLocals {
  const { t, lang } = localise(context.lang);
  const productName = context.productName;
  const account = context.account;
  const base = {
    name: input.name as EmailName,
    lang,
    productName,
    greeting: t('email.greeting', { name: context.name }),
    linkHint: t('email.linkHint'),
    footer: t('email.footer', { productName }),
    details: [] as { label: string; value: string }[],
  };
  switch (input.name) {
    case 'password-reset':
      return {
        ...base,
        subject: t('email.passwordReset.subject', { productName }),
        paragraphs: [
          t('email.passwordReset.body', { productName, account, minutes: input.minutes }),
        ],
        action: { href: input.link, label: t('email.passwordReset.action') },
        note: t('email.passwordReset.footer'),
      };
    case 'password-changed':
      return {
        ...base,
        subject: t('email.passwordChanged.subject', { productName }),
        paragraphs: [
          t('email.passwordChanged.body', { account, time: formatTime(input.time, lang) }),
        ],
        action: undefined,
        note: t('email.passwordChanged.footer'),
      };
    case 'email-verification':
      return {
        ...base,
        subject: t('email.verification.subject', { productName }),
        paragraphs: [
          t('email.verification.body', {
            productName,
            account,
            email: input.email,
            hours: input.hours,
          }),
        ],
        action: { href: input.link, label: t('email.verification.action') },
        note: t('email.verification.footer'),
      };
    case 'email-change':
      return {
        ...base,
        subject: t('email.change.subject', { productName }),
        paragraphs: [
          t('email.change.body', { productName, account, email: input.email, hours: input.hours }),
        ],
        action: { href: input.link, label: t('email.change.action') },
        note: t('email.change.footer'),
      };
    case 'email-change-notice':
      return {
        ...base,
        subject: t('email.changeNotice.subject', { productName }),
        paragraphs: [t('email.changeNotice.body', { account, email: input.email })],
        action: undefined,
        note: t('email.changeNotice.footer'),
      };
    case 'invitation':
      return {
        ...base,
        subject: t('email.invitation.subject', { productName }),
        paragraphs: [t('email.invitation.body', { productName, account, days: input.days })],
        action: { href: input.link, label: t('email.invitation.action') },
        note: t('email.invitation.footer'),
      };
    case 'new-device':
      return {
        ...base,
        subject: t('email.newDevice.subject', { productName }),
        paragraphs: [t('email.newDevice.body', { account })],
        details: [
          { label: t('email.newDevice.time'), value: formatTime(input.time, lang) },
          { label: t('email.newDevice.device'), value: input.device },
          { label: t('email.newDevice.address'), value: input.address },
        ],
        action: { href: input.link, label: t('email.newDevice.action') },
        note: t('email.newDevice.footer'),
      };
    case 'account-deleted':
      return {
        ...base,
        subject: t('email.deleted.subject', { productName }),
        paragraphs: [t('email.deleted.body', { account, time: formatTime(input.time, lang) })],
        action: undefined,
        note: t('email.deleted.footer'),
      };
  }
}
