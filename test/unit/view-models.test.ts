import { describe, it, expect } from '@jest/globals';
import { consentPage } from '../../src/ui/consent-page.ts';
import { errorPage, expiredPage } from '../../src/ui/error-page.ts';
import { homePage } from '../../src/ui/home-page.ts';
import { loggedOutPage } from '../../src/ui/logged-out-page.ts';
import { loginPage } from '../../src/ui/login-page.ts';
import { logoutPage } from '../../src/ui/logout-page.ts';
import { siteLocals } from '../../src/ui/site-locals.ts';
import { safeBackHref, safeLogoSrc } from '../../src/ui/url-safety.ts';
import { SCOPE_CLAIMS } from '../../src/oidc/scopes.ts';
import { createTranslator, isMessageKey } from '../../src/ui/i18n/translate.ts';
import { messagesEn } from '../../src/ui/i18n/messages-en.ts';
import { selectCatalogue } from '../../src/ui/i18n/select-catalogue.ts';

const page = { productName: 'Portcullis', lang: 'en' };
const login = { ...page, uid: 'uid-1', csrfToken: 'csrf-1', client: { name: 'Acme Notes' } };
const consent = {
  ...login,
  scopes: [],
  claims: [],
  scopeClaims: SCOPE_CLAIMS,
  accountName: 'alice',
};

describe('createTranslator', () => {
  const t = createTranslator(messagesEn);

  it('fills {name} placeholders', () => {
    expect(t('login.intro', { client: 'Acme' })).toBe('Sign in to continue to Acme');
  });

  it('does not expand placeholders found inside a value', () => {
    expect(t('login.intro', { client: '{client} {productName}' })).toBe(
      'Sign in to continue to {client} {productName}',
    );
  });

  it('leaves a placeholder visible when its value is missing', () => {
    expect(t('login.intro', {})).toBe('Sign in to continue to {client}');
  });

  it('does not read placeholder values from the prototype chain', () => {
    expect(t('login.intro', Object.create({ client: 'inherited' }) as Record<string, string>)).toBe(
      'Sign in to continue to {client}',
    );
  });

  it('returns text unescaped, leaving escaping to the templates', () => {
    expect(t('login.intro', { client: '<b>&' })).toBe('Sign in to continue to <b>&');
  });

  it('knows which dynamic keys exist', () => {
    expect(isMessageKey(messagesEn, 'scope.email')).toBe(true);
    expect(isMessageKey(messagesEn, 'scope.nope')).toBe(false);
    expect(isMessageKey(messagesEn, 'toString')).toBe(false);
  });
});

describe('selectCatalogue', () => {
  it('matches a regional tag by its primary language', () => {
    expect(selectCatalogue('en-GB').lang).toBe('en');
  });

  it('falls back to English and says so in lang', () => {
    expect(selectCatalogue('xx-YY')).toEqual({ lang: 'en', messages: messagesEn });
    expect(selectCatalogue('constructor').lang).toBe('en');
    expect(selectCatalogue(undefined).lang).toBe('en');
  });
});

describe('loginPage', () => {
  it('posts the login form and the cancel form to the interaction, each with the csrf token', () => {
    const locals = loginPage(login);
    expect(locals.form.action).toBe('/interaction/uid-1/login');
    expect(locals.form.csrfToken).toBe('csrf-1');
    expect(locals.cancel.action).toBe('/interaction/uid-1/abort');
    expect(locals.cancel.csrfToken).toBe('csrf-1');
  });

  it('encodes the interaction uid into the path', () => {
    expect(loginPage({ ...login, uid: 'a/../b?c' }).form.action).toBe(
      '/interaction/a%2F..%2Fb%3Fc/login',
    );
  });

  it('says which app the user signs in to', () => {
    expect(loginPage(login).intro).toBe('Sign in to continue to Acme Notes');
  });

  it('names an unnamed app generically and gives it a monogram', () => {
    const locals = loginPage({ ...login, client: { name: '  ' } });
    expect(locals.intro).toBe('Sign in to continue to this app');
    expect(locals.client.monogram).toBe('T');
  });

  it('keeps a monogram whole when the name starts outside the BMP', () => {
    expect(loginPage({ ...login, client: { name: '𝒜cme' } }).client.monogram).toBe('𝒜');
  });

  it('shows no alert and marks no field without an error', () => {
    const locals = loginPage(login);
    expect(locals.alert).toBeUndefined();
    expect(locals.invalidFieldsDescribedBy).toBeUndefined();
  });

  it('shows one generic message for wrong credentials and points the fields at it', () => {
    const locals = loginPage({ ...login, error: 'invalid_credentials', username: 'alice' });
    expect(locals.alert?.message).toBe('The username or password is incorrect.');
    expect(locals.invalidFieldsDescribedBy).toBe(locals.alert?.id);
  });

  it('re-fills the username after an error', () => {
    const locals = loginPage({ ...login, error: 'invalid_credentials', username: 'alice' });
    expect(locals.username.value).toBe('alice');
    expect(locals.password).not.toHaveProperty('value');
  });

  it('does not mark the fields invalid when only the csrf token was stale', () => {
    const locals = loginPage({ ...login, error: 'csrf' });
    expect(locals.alert?.message).toMatch(/expired/);
    expect(locals.invalidFieldsDescribedBy).toBeUndefined();
  });

  it('marks the fields invalid when one was left empty', () => {
    const locals = loginPage({ ...login, error: 'missing_fields' });
    expect(locals.alert?.message).toBe('Enter your username and your password.');
    expect(locals.invalidFieldsDescribedBy).toBe(locals.alert?.id);
  });

  it('takes the client logo only from an https URL', () => {
    expect(
      loginPage({ ...login, client: { name: 'A', logoUri: 'https://cdn.example/l.png' } }).client
        .logoSrc,
    ).toBe('https://cdn.example/l.png');
    for (const logoUri of [
      'http://cdn.example/l.png',
      'javascript:alert(1)',
      'data:image/svg+xml,<svg/>',
      '//cdn.example/l.png',
      '/local.png',
      'https:',
      'https://user:pass@cdn.example/l.png',
    ]) {
      expect(
        loginPage({ ...login, client: { name: 'A', logoUri } }).client.logoSrc,
      ).toBeUndefined();
    }
  });

  it('sets the document title and language', () => {
    const locals = loginPage({ ...login, lang: 'en-US' });
    expect(locals.layout.documentTitle).toBe('Sign in – Portcullis');
    expect(locals.layout.lang).toBe('en');
    expect(locals.layout.page).toBe('login');
  });
});

describe('safeLogoSrc', () => {
  it('accepts https in any letter case and normalises it', () => {
    expect(safeLogoSrc('HTTPS://Cdn.Example/l.png')).toBe('https://cdn.example/l.png');
  });
});

describe('consentPage', () => {
  it('describes each scope in plain words and names unknown ones', () => {
    const locals = consentPage({
      ...consent,
      scopes: ['openid', 'profile', 'email', 'offline_access', 'address', 'phone', 'api:read'],
    });
    expect(locals.scopes.map((scope) => scope.description)).toEqual([
      'Sign you in / know who you are',
      'Your name and profile details',
      'Your email address',
      "Stay connected when you're away (keep access after you close the app)",
      'Your postal address',
      'Your phone number',
      'Access to ‘api:read’',
    ]);
  });

  it('does not describe an inherited property name as a known scope', () => {
    expect(consentPage({ ...consent, scopes: ['constructor'] }).scopes[0]?.description).toBe(
      'Access to ‘constructor’',
    );
  });

  it('lists each claim once, leaving out claims a requested scope already covers', () => {
    const locals = consentPage({
      ...consent,
      scopes: ['openid', 'email'],
      claims: ['email_verified', 'given_name', 'given_name', 'sub', 'auth_time', 'shoe_size'],
    });
    expect(locals.claims).toEqual([
      { name: 'given_name', description: 'Your first name' },
      { name: 'shoe_size', description: 'Your ‘shoe_size’ information' },
    ]);
  });

  it('lists each scope once', () => {
    expect(consentPage({ ...consent, scopes: ['openid', 'openid', ' '] }).scopes).toHaveLength(1);
  });

  const ordersApi = {
    name: 'Orders API',
    scopes: [
      { name: 'orders:read', description: 'Read your orders' },
      { name: 'orders:write', description: 'Place orders for you' },
      { name: 'orders:cancel', description: ' ' },
    ],
  };

  it('names each requested API and describes its scopes in the words of its registration', () => {
    const locals = consentPage({
      ...consent,
      scopes: ['openid'],
      resources: [
        {
          indicator: 'https://orders.example/v1',
          scopes: ['orders:read', 'orders:write'],
          description: ordersApi,
        },
      ],
    });
    expect(locals.resources).toEqual([
      {
        identifier: 'https://orders.example/v1',
        name: 'Orders API',
        heading: 'Acme Notes will get access to Orders API:',
        scopes: [
          { name: 'orders:read', description: 'Read your orders' },
          { name: 'orders:write', description: 'Place orders for you' },
        ],
      },
    ]);
    // The OpenID Connect scopes stay in their own list.
    expect(locals.scopes.map((scope) => scope.name)).toEqual(['openid']);
  });

  it('names an unknown API by its identifier and scopes without a description by their names', () => {
    const locals = consentPage({
      ...consent,
      resources: [
        { indicator: 'https://gone.example/<api>', scopes: ['x:read'] },
        {
          indicator: 'https://orders.example/v1',
          scopes: ['orders:cancel', 'orders:ship', 'constructor'],
          description: ordersApi,
        },
      ],
    });
    expect(locals.resources.map((r) => [r.name, r.heading])).toEqual([
      ['https://gone.example/<api>', 'Acme Notes will get access to https://gone.example/<api>:'],
      ['Orders API', 'Acme Notes will get access to Orders API:'],
    ]);
    expect(locals.resources[0]?.scopes).toEqual([
      { name: 'x:read', description: 'Access to ‘x:read’' },
    ]);
    expect(locals.resources[1]?.scopes.map((scope) => scope.description)).toEqual([
      'Access to ‘orders:cancel’',
      'Access to ‘orders:ship’',
      'Access to ‘constructor’',
    ]);
  });

  it('lists each API scope once and leaves out an API with no scope to grant', () => {
    const locals = consentPage({
      ...consent,
      resources: [
        {
          indicator: 'https://orders.example/v1',
          scopes: ['orders:read', 'orders:read', ' '],
          description: ordersApi,
        },
        { indicator: 'https://empty.example', scopes: [] },
      ],
    });
    expect(locals.resources).toHaveLength(1);
    expect(locals.resources[0]?.scopes).toHaveLength(1);
  });

  it('lists no API when the request names none', () => {
    expect(consentPage(consent).resources).toEqual([]);
  });

  it('names the client and the signed-in account and posts to the consent endpoint', () => {
    const locals = consentPage({ ...consent, accountName: 'alice@example.com' });
    expect(locals.heading).toBe('Acme Notes wants to access your account');
    expect(locals.signedInAs).toBe('Signed in as alice@example.com');
    expect(locals.form).toEqual({ action: '/interaction/uid-1/consent', csrfToken: 'csrf-1' });
    expect([locals.allowLabel, locals.denyLabel]).toEqual(['Allow', 'Deny']);
  });
});

describe('logoutPage', () => {
  const formHtml = '<form id="op.logoutForm" method="post" action="/session/end/confirm"></form>';

  it('keeps the library form as it is and targets it by its id', () => {
    const locals = logoutPage({ ...page, formHtml });
    expect(locals.formHtml).toBe(formHtml);
    expect(locals.formId).toBe('op.logoutForm');
    expect([locals.confirmLabel, locals.stayLabel]).toEqual(['Sign out', 'Stay signed in']);
  });

  it('mentions the client that asked for the logout, when there is one', () => {
    expect(logoutPage({ ...page, formHtml }).intro).toBe('Do you want to sign out of Portcullis?');
    expect(logoutPage({ ...page, formHtml, clientName: 'Acme' }).intro).toBe(
      'Acme asked to sign you out. Do you want to sign out of Portcullis?',
    );
  });
});

describe('loggedOutPage', () => {
  it('says the user is signed out, of the client when known', () => {
    expect(loggedOutPage(page).message).toBe('You have been signed out.');
    expect(loggedOutPage({ ...page, clientName: 'Acme' }).message).toBe(
      'You have been signed out of Acme.',
    );
  });
});

describe('errorPage', () => {
  const error = { ...page, requestId: 'req-1' };

  it('shows the request id as a reference', () => {
    expect(errorPage({ ...error, status: 400, message: 'x' }).reference).toBe('Reference: req-1');
  });

  it('shows the caller message and title for a 4xx', () => {
    const locals = errorPage({ ...error, status: 400, title: 'Expired', message: 'Start again.' });
    expect([locals.heading, locals.message]).toEqual(['Expired', 'Start again.']);
    expect(locals.layout.documentTitle).toBe('Expired – Portcullis');
  });

  it('uses friendly text by status when the caller gives none', () => {
    expect(errorPage({ ...error, status: 404 }).heading).toBe('Page not found');
    expect(errorPage({ ...error, status: 429 }).heading).toBe('Too many attempts');
    expect(errorPage({ ...error, status: 403, message: '' }).heading).toBe(
      'This request could not be completed',
    );
  });

  it('never shows caller text for a 5xx', () => {
    const locals = errorPage({
      ...error,
      status: 500,
      title: 'MongoServerError',
      message: 'connect ECONNREFUSED 10.0.0.5:27017',
    });
    expect(locals.heading).toBe('Something went wrong on our side');
    expect(locals.message).toBe('This is not your fault. Please try again in a moment.');
  });

  it('treats a status outside 4xx as a server error', () => {
    expect(errorPage({ ...error, status: 200, message: 'secret' }).message).not.toMatch(/secret/);
    expect(errorPage({ ...error, status: Number.NaN, message: 'secret' }).message).not.toMatch(
      /secret/,
    );
  });

  it('keeps only the first line of a 4xx message, so a stack never shows', () => {
    const locals = errorPage({
      ...error,
      status: 400,
      message: 'Error: bad thing\n    at handler (/srv/app.ts:1:1)',
    });
    expect(locals.message).toBe('Error: bad thing');
  });

  it('bounds a long message', () => {
    expect(errorPage({ ...error, status: 400, message: 'a'.repeat(5000) }).message).toHaveLength(
      300,
    );
  });

  it('links back only to a same-origin path', () => {
    expect(errorPage({ ...error, status: 400, backUrl: '/account' }).back?.href).toBe('/account');
    for (const backUrl of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      'https:evil.example',
      'javascript:alert(1)',
      'relative',
    ]) {
      expect(safeBackHref(backUrl)).toBeUndefined();
      expect(errorPage({ ...error, status: 400, backUrl }).back).toBeUndefined();
    }
  });
});

describe('homePage', () => {
  it('links the discovery document under the issuer path', () => {
    expect(homePage({ ...page, issuer: 'http://localhost:3000' }).discoveryHref).toBe(
      '/.well-known/openid-configuration',
    );
    expect(homePage({ ...page, issuer: 'https://id.example/tenant/' }).discoveryHref).toBe(
      '/tenant/.well-known/openid-configuration',
    );
  });

  it('shows the issuer identifier', () => {
    expect(homePage({ ...page, issuer: 'https://id.example' }).issuer).toBe('https://id.example');
  });
});

describe('German pages', () => {
  const de = { ...page, lang: 'de' };

  it('are written in German and say so in lang', () => {
    const locals = loginPage({ ...login, lang: 'de-AT' });
    expect(locals.layout.lang).toBe('de');
    expect(locals.heading).toBe('Anmelden');
    expect(locals.intro).toBe('Melden Sie sich an, um Acme Notes zu nutzen');
    expect(loginPage({ ...login, lang: 'de', error: 'invalid_credentials' }).alert?.message).toBe(
      'Benutzername oder Passwort ist falsch.',
    );
  });

  it('describe scopes and claims in German, unknown ones by name', () => {
    const locals = consentPage({
      ...consent,
      ...de,
      scopes: ['openid', 'email', 'custom:read'],
      claims: ['given_name', 'shoe_size'],
    });
    expect(locals.heading).toBe('Zugriff für Acme Notes erlauben?');
    expect(locals.scopes.map((s) => s.description)).toEqual([
      'Ihre Identität, um Sie anzumelden',
      'Ihre E-Mail-Adresse',
      'Den Bereich ‚custom:read‘',
    ]);
    expect(locals.claims.map((c) => c.description)).toEqual([
      'Ihren Vornamen',
      'Ihre Angabe ‚shoe_size‘',
    ]);
  });

  it('name each requested API in German, with its registered scope descriptions as they are', () => {
    const locals = consentPage({
      ...consent,
      ...de,
      resources: [
        {
          indicator: 'https://orders.example/v1',
          scopes: ['orders:read', 'orders:ship'],
          description: {
            name: 'Bestell-API',
            scopes: [{ name: 'orders:read', description: 'Ihre Bestellungen lesen' }],
          },
        },
      ],
    });
    expect(locals.resources[0]?.heading).toBe('Acme Notes erhält Zugriff auf Bestell-API:');
    expect(locals.resources[0]?.scopes.map((scope) => scope.description)).toEqual([
      'Ihre Bestellungen lesen',
      'Den Bereich ‚orders:ship‘',
    ]);
  });

  it('name an unnamed app in a form that fits every German sentence it appears in', () => {
    const locals = consentPage({ ...consent, ...de, client: { name: undefined } });
    expect(locals.heading).toBe('Zugriff für diese App erlauben?');
    expect(locals.trustNote).toMatch(
      /^Erlauben Sie den Zugriff nur, wenn Sie diese App für vertrauenswürdig halten\./,
    );
  });
});

describe('the language switcher', () => {
  it('links this page in every language, keeping its query and marking the current one', () => {
    const locals = logoutPage({
      ...page,
      formHtml: '',
      here: '/session/end?post_logout_redirect_uri=https%3A%2F%2Frp.example%2F&state=s',
    });
    expect(locals.layout.languages).toEqual({
      label: 'Language',
      links: [
        {
          lang: 'en',
          name: 'English',
          href: '/session/end?post_logout_redirect_uri=https%3A%2F%2Frp.example%2F&state=s&lang=en',
          current: true,
        },
        {
          lang: 'de',
          name: 'Deutsch',
          href: '/session/end?post_logout_redirect_uri=https%3A%2F%2Frp.example%2F&state=s&lang=de',
          current: false,
        },
      ],
    });
    expect(
      homePage({ ...page, lang: 'de', issuer: 'https://id.example', here: '/' }).layout.languages
        ?.label,
    ).toBe('Sprache');
  });

  it('replaces an existing lang instead of adding a second', () => {
    const links = homePage({ ...page, issuer: 'https://id.example', here: '/?lang=en&x=1' }).layout
      .languages?.links;
    expect(links?.map((l) => l.href)).toEqual(['/?lang=en&x=1', '/?lang=de&x=1']);
  });

  it.each([
    undefined,
    '//evil.example/',
    '/\\evil.example',
    'https://evil.example/',
    '/\tx',
    'relative',
  ])('is left out rather than link anywhere but a same-origin path (here = %j)', (here) => {
    expect(
      homePage({ ...page, issuer: 'https://id.example', here }).layout.languages,
    ).toBeUndefined();
  });
});

describe('errorPage in another language than the caller text', () => {
  const error = { ...page, requestId: 'req-1' };

  it('keeps the page in German and shows the English description apart, marked as English', () => {
    const locals = errorPage({
      ...error,
      lang: 'de',
      status: 400,
      message: 'redirect_uri did not match',
    });
    expect(locals.layout.lang).toBe('de');
    expect(locals.heading).toBe('Diese Anfrage konnte nicht ausgeführt werden');
    expect(locals.message).toMatch(/^Der Link, dem Sie gefolgt sind/);
    expect(locals.detail).toEqual({
      label: 'Technische Details:',
      text: 'redirect_uri did not match',
      lang: 'en',
    });
  });

  it('uses caller text as the message when it is in the page language', () => {
    expect(errorPage({ ...error, status: 400, message: 'x' }).detail).toBeUndefined();
    const german = errorPage({
      ...error,
      lang: 'de',
      status: 400,
      message: 'Bitte erneut versuchen.',
      messageLang: 'de',
    });
    expect([german.message, german.detail]).toEqual(['Bitte erneut versuchen.', undefined]);
  });

  it('never shows caller text for a 5xx, not even as a detail', () => {
    expect(
      errorPage({ ...error, lang: 'de', status: 500, message: 'ECONNREFUSED' }).detail,
    ).toBeUndefined();
  });
});

describe('expiredPage', () => {
  const expired = { ...page, requestId: 'req-9' };
  const client = {
    id: 'notes',
    name: 'Acme Notes',
    uri: 'https://acme.example/',
    initiateLoginUri: 'https://acme.example/start',
  };

  it('says nothing was sent and links to the app’s initiate_login_uri', () => {
    const locals = expiredPage({ ...expired, client });
    expect(locals.heading).toBe('This sign-in has expired');
    expect(locals.message).toMatch(/Nothing was sent\. Start again from Acme Notes\.$/);
    expect(locals.app).toEqual({ href: 'https://acme.example/start', label: 'Back to Acme Notes' });
    expect(locals.reference).toBe('Reference: req-9');
  });

  it('falls back to client_uri, and to a generic label for an unnamed app', () => {
    const locals = expiredPage({
      ...expired,
      client: { name: '  ', uri: 'https://acme.example/' },
    });
    expect(locals.app).toEqual({ href: 'https://acme.example/', label: 'Back to the app' });
    expect(locals.message).toMatch(/Start again from the application\.$/);
  });

  it('links nothing that is not https', () => {
    for (const uri of ['http://acme.example/', 'javascript:alert(1)', '//acme.example/']) {
      expect(
        expiredPage({ ...expired, client: { name: 'Acme', uri, initiateLoginUri: uri } }).app,
      ).toBeUndefined();
    }
  });

  it('gives the instruction alone when the app is unknown', () => {
    const locals = expiredPage(expired);
    expect(locals.app).toBeUndefined();
    expect(locals.message).toBe(
      'For your security, a sign-in page is only valid for a limited time. Nothing was sent. Start again from the application.',
    );
  });

  it('is translated', () => {
    const locals = expiredPage({ ...expired, lang: 'de', client });
    expect(locals.heading).toBe('Diese Anmeldung ist abgelaufen');
    expect(locals.app?.label).toBe('Acme Notes öffnen');
  });
});

describe('forms carry the client id for the expired page', () => {
  it('puts it in the login, cancel and consent forms when known', () => {
    const withId = { ...login, client: { id: 'notes', name: 'Acme Notes' } };
    expect(loginPage(withId).form.clientId).toBe('notes');
    expect(loginPage(withId).cancel.clientId).toBe('notes');
    expect(consentPage({ ...consent, client: withId.client }).form.clientId).toBe('notes');
    expect(loginPage(login).form.clientId).toBeUndefined();
  });
});

describe('siteLocals', () => {
  it('defaults to our logo and stylesheet and no footer links', () => {
    expect(siteLocals()).toEqual({
      logoSrc: '/assets/logo.svg',
      stylesheetHrefs: ['/assets/portcullis.css'],
      footerLinks: [],
    });
  });

  it('links the theme stylesheet after ours and keeps safe logos and links only', () => {
    const site = siteLocals({
      logoUrl: 'https://cdn.acme.example/logo.svg',
      themeStylesheetHref: '/assets/theme.css?v=abc',
      footerLinks: [
        { label: 'Privacy', url: 'https://acme.example/privacy' },
        { label: 'Help', url: '/help' },
        { label: 'Evil', url: 'javascript:alert(1)' },
        { label: 'Off-site', url: '//evil.example/' },
        { label: ' ', url: '/empty-label' },
      ],
    });
    expect(site).toEqual({
      logoSrc: 'https://cdn.acme.example/logo.svg',
      stylesheetHrefs: ['/assets/portcullis.css', '/assets/theme.css?v=abc'],
      footerLinks: [
        { label: 'Privacy', href: 'https://acme.example/privacy' },
        { label: 'Help', href: '/help' },
      ],
    });
    expect(siteLocals({ logoUrl: 'http://cdn.acme.example/logo.svg' }).logoSrc).toBe(
      '/assets/logo.svg',
    );
  });
});
