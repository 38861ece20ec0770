import { describe, expect, it } from '@jest/globals';
import { createCsrf } from '../../src/interactions/csrf.ts';
import { negotiateLanguage } from '../../src/ui/i18n/negotiate-language.ts';
import { normalizeLogin } from '../../src/accounts/normalize-login.ts';

describe('interaction CSRF tokens', () => {
  const csrf = createCsrf(['a'.repeat(40), 'b'.repeat(40)]);

  it('accepts the token of the same interaction', () => {
    expect(csrf.verify('uid-1234567890', csrf.token('uid-1234567890'))).toBe(true);
  });

  it('refuses the token of another interaction, a missing token and garbage', () => {
    const token = csrf.token('uid-1234567890');
    expect(csrf.verify('uid-0987654321', token)).toBe(false);
    expect(csrf.verify('uid-1234567890', undefined)).toBe(false);
    expect(csrf.verify('uid-1234567890', '')).toBe(false);
    expect(csrf.verify('uid-1234567890', 'x'.repeat(5000))).toBe(false);
    expect(csrf.verify('uid-1234567890', `${token.slice(0, -2)}AA`)).toBe(false);
  });

  it('still accepts tokens made with an older cookie key after rotation', () => {
    const old = createCsrf(['b'.repeat(40)]);
    expect(csrf.verify('uid-1234567890', old.token('uid-1234567890'))).toBe(true);
    const stranger = createCsrf(['c'.repeat(40)]);
    expect(csrf.verify('uid-1234567890', stranger.token('uid-1234567890'))).toBe(false);
  });
});

describe('language negotiation', () => {
  it('prefers ui_locales, then Accept-Language by weight, then English', () => {
    expect(negotiateLanguage('en-GB', 'de')).toBe('en');
    expect(negotiateLanguage(undefined, 'xx;q=0.9, en;q=0.8')).toBe('en');
    expect(negotiateLanguage(undefined, undefined)).toBe('en');
    expect(negotiateLanguage('zz', 'yy')).toBe('en');
  });
});

describe('login normalisation', () => {
  it('folds case, width and surrounding space so look-alikes are one account', () => {
    expect(normalizeLogin('  Alice ')).toBe('alice');
    expect(normalizeLogin('ＡＬＩＣＥ')).toBe('alice');
    expect(normalizeLogin('Bob@Example.COM')).toBe('bob@example.com');
  });
});
