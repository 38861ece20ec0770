/**
 * The account lifecycle's page builders and email messages (src/ui/account-pages.ts,
 * src/ui/email-messages.ts, src/ui/device-label.ts): pure functions from data to translated
 * locals, with ids that tie labels, hints and errors together.
 */
import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import {
  accountActivityPage,
  accountDataPage,
  accountProfilePage,
  accountSessionsPage,
  forgotPasswordPage,
  resetPasswordPage,
} from '../../src/ui/account-pages.ts';
import { deviceLabel } from '../../src/ui/device-label.ts';
import { emailMessage, type EmailInput } from '../../src/ui/email-messages.ts';
import { localise } from '../../src/ui/localise.ts';
import { createEmailRenderer } from '../../src/ui/render-email.ts';
import { createViewRenderer } from '../../src/ui/render-view.ts';
import { EMAIL_NAMES } from '../../src/ui/template-contract.ts';

const VIEWS = fileURLToPath(new URL('../../views/', import.meta.url));
const base = { productName: 'Portcullis', lang: 'en', csrfToken: 'tok', needsReauth: false };
const account = { username: 'ada', name: 'Ada', email: 'ada@example.com', emailVerified: false };

describe('device labels (ua-parser-js)', () => {
  const { t } = localise('en');
  it.each([
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
      'Safari on Mac OS',
    ],
    [undefined, 'Unknown device'],
    ['', 'Unknown device'],
    ['curl/8.5.0', 'Unknown device'],
  ])('reads %j as %j', (ua, label) => {
    expect(deviceLabel(ua, t)).toBe(label);
  });

  it('says it in German', () => {
    expect(
      deviceLabel(
        'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
        localise('de').t,
      ),
    ).toBe('Firefox unter Linux');
  });
});

describe('account page builders', () => {
  it('ties the reset form error to both fields and the hint', () => {
    const page = resetPasswordPage({
      ...base,
      token: 't',
      account: 'ada',
      invitation: false,
      minLength: 12,
      error: 'tooShort',
    });
    expect(page.notice).toEqual({
      id: 'page-notice',
      kind: 'error',
      message: 'The new password must be at least 12 characters.',
    });
    expect(page.password).toMatchObject({
      invalid: true,
      describedBy: 'page-notice password-hint',
    });
    expect(page.confirm.invalid).toBe(false);
    expect(page.layout.languages).toBeUndefined(); // its address carries the link's token
  });

  it('asks for the current password on sensitive forms only when not signed in recently', () => {
    const recent = accountProfilePage({ ...base, account, minLength: 8 });
    expect(recent.email.reauth).toBeUndefined();
    expect(recent.password.current.name).toBe('current_password'); // always for a new password
    const stale = accountProfilePage({ ...base, needsReauth: true, account, minLength: 8 });
    expect(stale.email.reauth?.field.name).toBe('current_password');
    expect(
      accountDataPage({ ...base, account, needsReauth: true, selfDelete: true }).deleteForm?.reauth,
    ).toBeDefined();
  });

  it('offers a new confirmation link only for an unconfirmed address', () => {
    expect(accountProfilePage({ ...base, account, minLength: 8 }).email.resend).toBeDefined();
    expect(
      accountProfilePage({ ...base, account: { ...account, emailVerified: true }, minLength: 8 })
        .email.resend,
    ).toBeUndefined();
  });

  it('marks this device and gives it no sign-out form of its own', () => {
    const page = accountSessionsPage({
      ...base,
      account,
      sessions: [
        {
          uid: 'a',
          current: true,
          signedInAt: 0,
          lastUsedAt: 0,
          userAgent: undefined,
          ip: undefined,
          apps: [],
        },
        {
          uid: 'b',
          current: false,
          signedInAt: 0,
          lastUsedAt: 0,
          userAgent: undefined,
          ip: '192.0.2.1',
          apps: ['Acme'],
        },
      ],
    });
    expect(page.sessions[0]).toMatchObject({ thisDevice: 'This device', signOut: undefined });
    expect(page.sessions[1]?.signOut?.sessionId).toBe('b');
    expect(page.signOutOthers).toBeDefined();
    expect(page.frame.nav.items.find((i) => i.current)?.href).toBe('/account/sessions');
  });

  it('names events in plain words, and unknown ones by their type', () => {
    const page = accountActivityPage({
      ...base,
      lang: 'de',
      account,
      events: [
        { time: 0, type: 'login.succeeded', ip: '192.0.2.1' },
        { time: 0, type: 'admin.user.updated' },
      ],
    });
    expect(page.rows.map((r) => r.what)).toEqual([
      'Angemeldet',
      'Sonstige Aktivität (admin.user.updated)',
    ]);
    expect(page.rows[0]?.datetime).toBe('1970-01-01T00:00:00.000Z');
  });

  it('shows no delete form when users may not delete themselves', () => {
    const page = accountDataPage({ ...base, account, selfDelete: false });
    expect(page.deleteForm).toBeUndefined();
    expect(page.notAllowed).toContain('administrator of Portcullis');
  });

  it('renders every new page through the strict renderer (no local missing)', async () => {
    const render = createViewRenderer({ viewsDir: VIEWS, cache: false });
    const html = [
      await render('forgot-password', forgotPasswordPage({ ...base, error: true, email: 'x' })),
      await render(
        'account-profile',
        accountProfilePage({ ...base, needsReauth: true, account, minLength: 8 }),
      ),
      await render(
        'account-data',
        accountDataPage({
          ...base,
          account,
          needsReauth: true,
          selfDelete: true,
          invalid: 'confirm',
        }),
      ),
    ].join('');
    expect(html).toContain('aria-invalid="true"');
    expect(html).not.toContain('<script');
  });
});

describe('email messages', () => {
  const inputs: Record<(typeof EMAIL_NAMES)[number], EmailInput> = {
    'password-reset': {
      name: 'password-reset',
      link: 'https://id.example/r?token=a&b',
      minutes: 15,
    },
    'password-changed': { name: 'password-changed', time: 0 },
    'email-verification': {
      name: 'email-verification',
      link: 'https://id.example/v',
      email: 'a@b.c',
      hours: 24,
    },
    'email-change': {
      name: 'email-change',
      link: 'https://id.example/v',
      email: 'a@b.c',
      hours: 24,
    },
    'email-change-notice': { name: 'email-change-notice', email: 'a@b.c' },
    invitation: { name: 'invitation', link: 'https://id.example/i', days: 7 },
    'new-device': {
      name: 'new-device',
      link: 'https://id.example/s',
      time: 0,
      device: 'Firefox on Linux',
      address: '192.0.2.1',
    },
    'account-deleted': { name: 'account-deleted', time: 0 },
  };
  const render = createEmailRenderer({ viewsDir: VIEWS, cache: false });

  it.each(EMAIL_NAMES.flatMap((name) => [[name, 'en'] as const, [name, 'de'] as const]))(
    'renders %s in %s as text and HTML, with no placeholder left',
    async (name, lang) => {
      const locals = emailMessage(
        { lang, productName: 'Portcullis <Test>', account: 'ada', name: 'Ada & Co' },
        inputs[name],
      );
      const email = await render(locals);
      expect(email.subject).not.toMatch(/\{[a-z]+\}/i);
      expect(email.text).not.toMatch(/\{[a-z]+\}/i);
      expect(email.text).toContain('Ada & Co'); // plain text is not escaped
      expect(email.html).toContain('Ada &amp; Co'); // HTML is
      expect(email.html).not.toContain('<Test>');
      expect(email.html).toContain(`<html lang="${lang}">`);
      if ('link' in inputs[name]) {
        const link = (inputs[name] as { link: string }).link;
        expect(email.text).toContain(link);
        expect(email.html).toContain(`href="${link.replace(/&/g, '&amp;')}"`);
      }
    },
  );
});
