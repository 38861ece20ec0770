import { describe, it, expect } from '@jest/globals';
import {
  consentPage,
  errorPage,
  homePage,
  loggedOutPage,
  loginPage,
  logoutPage,
  safeBackHref,
  safeLogoSrc,
} from '../../src/interactions/view-models.ts';
import { createTranslator, isMessageKey } from '../../src/i18n/translate.ts';
import { messagesEn } from '../../src/i18n/messages-en.ts';
import { selectCatalogue } from '../../src/i18n/select-catalogue.ts';

const page = { productName: 'Portcullis', lang: 'en' };
const login = { ...page, uid: 'uid-1', csrfToken: 'csrf-1', client: { name: 'Acme Notes' } };
const consent = { ...login, scopes: [], claims: [], accountName: 'alice' };

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
