import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { chooseLanguage, supportedLanguage } from '../../src/ui/i18n/choose-language.ts';
import { messagesDe } from '../../src/ui/i18n/messages-de.ts';
import { messagesEn } from '../../src/ui/i18n/messages-en.ts';
import {
  LANGUAGE_COOKIE,
  rememberLanguage,
  requestLanguage,
  switcherPath,
} from '../../src/ui/i18n/request-language.ts';
import { selectCatalogue, SUPPORTED_LANGUAGES } from '../../src/ui/i18n/select-catalogue.ts';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '').sort();
}

describe('the German catalogue', () => {
  it('is registered and selected for German tags', () => {
    expect(SUPPORTED_LANGUAGES).toEqual(['en', 'de']);
    expect(selectCatalogue('de-AT')).toEqual({ lang: 'de', messages: messagesDe });
  });

  it('has exactly the English keys, each with the same placeholders and some text', () => {
    expect(Object.keys(messagesDe).sort()).toEqual(Object.keys(messagesEn).sort());
    for (const [key, english] of Object.entries(messagesEn)) {
      const german = (messagesDe as Record<string, string>)[key] ?? '';
      expect({ key, placeholders: placeholders(german) }).toEqual({
        key,
        placeholders: placeholders(english),
      });
      expect(german.trim()).not.toBe('');
    }
  });

  it('is really German: no message but names and titles is the same as the English one', () => {
    const same = Object.entries(messagesEn)
      .filter(([key, english]) => (messagesDe as Record<string, string>)[key] === english)
      .map(([key]) => key);
    expect(same.sort()).toEqual(['home.heading', 'layout.documentTitle']);
  });
});

describe('supportedLanguage', () => {
  it('maps a well-formed tag to our own tag by its primary language', () => {
    expect(supportedLanguage('de')).toBe('de');
    expect(supportedLanguage('DE-at')).toBe('de');
    expect(supportedLanguage('en_GB')).toBe('en');
  });

  it('returns our constant, never the input', () => {
    const input = 'de-CH';
    const output = supportedLanguage(input);
    expect(output).toBe('de');
    expect(SUPPORTED_LANGUAGES).toContain(output);
  });

  it.each([
    undefined,
    '',
    'fr',
    'x',
    '<script>',
    'de;q=1',
    'de\r\nSet-Cookie: a=b',
    ['de'],
    42,
    'toString',
    '__proto__',
  ])('refuses %j', (value) => {
    expect(supportedLanguage(value)).toBeUndefined();
  });
});

describe('chooseLanguage', () => {
  it('prefers ?lang, then the remembered choice, then ui_locales, then Accept-Language, then English', () => {
    const all = { requested: 'de', remembered: 'en', uiLocales: 'en', acceptLanguage: 'en' };
    expect(chooseLanguage(all)).toBe('de');
    expect(chooseLanguage({ ...all, requested: undefined, remembered: 'de' })).toBe('de');
    expect(chooseLanguage({ remembered: 'en', uiLocales: 'de', acceptLanguage: 'de' })).toBe('en');
    expect(chooseLanguage({ uiLocales: 'fr de', acceptLanguage: 'en' })).toBe('de');
    expect(chooseLanguage({ uiLocales: 'fr', acceptLanguage: 'fr, de;q=0.5' })).toBe('de');
    expect(chooseLanguage({})).toBe('en');
  });

  it('skips unsupported or malformed values at every step', () => {
    expect(
      chooseLanguage({ requested: 'fr', remembered: 'xx', uiLocales: 'zz', acceptLanguage: 'de' }),
    ).toBe('de');
    expect(chooseLanguage({ requested: ['de', 'en'], remembered: 'de' })).toBe('de');
  });
});

describe('switcherPath', () => {
  const ctx = (method: string, originalUrl: string) =>
    ({ method, originalUrl }) as unknown as Parameters<typeof switcherPath>[0];

  it('is the path and query of a GET, without lang', () => {
    expect(switcherPath(ctx('GET', '/interaction/abc'))).toBe('/interaction/abc');
    expect(
      switcherPath(
        ctx(
          'GET',
          '/session/end?lang=de&post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye&state=s',
        ),
      ),
    ).toBe('/session/end?post_logout_redirect_uri=https%3A%2F%2Frp.example%2Fbye&state=s');
    expect(switcherPath(ctx('HEAD', '/?lang=en'))).toBe('/');
  });

  it('is nothing for a page answering a POST', () => {
    expect(switcherPath(ctx('POST', '/interaction/abc/login'))).toBeUndefined();
  });

  it('keeps a protocol-relative request path as a path, for the view-model to refuse', () => {
    expect(switcherPath(ctx('GET', '//evil.example/x?y=1'))).toBe('//evil.example/x?y=1');
  });
});

describe('remembering the language (rememberLanguage, requestLanguage)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.keys = ['k'.repeat(40)];
    app.use(rememberLanguage());
    app.use((ctx) => {
      ctx.body = requestLanguage(
        ctx,
        typeof ctx.query.ui_locales === 'string' ? ctx.query.ui_locales : undefined,
      );
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sets an HttpOnly, SameSite=Lax cookie with our own tag when ?lang names a supported language', async () => {
    const res = await fetch(`${base}/?lang=DE-at`);
    expect(await res.text()).toBe('de');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      new RegExp(`^${LANGUAGE_COOKIE}=de; path=/; expires=[^;]+; samesite=lax; httponly$`),
    );
  });

  it('sets nothing for an unsupported ?lang or on a POST', async () => {
    for (const lang of ['fr', '%3Cscript%3E', 'de%0D%0ASet-Cookie:%20x=1']) {
      const res = await fetch(`${base}/?lang=${lang}`);
      expect(res.headers.get('set-cookie')).toBeNull();
      expect(await res.text()).toBe('en');
    }
    const post = await fetch(`${base}/?lang=de`, { method: 'POST' });
    expect(post.headers.get('set-cookie')).toBeNull();
  });

  it('reads the cookie back, over ui_locales and Accept-Language, ignoring values not on the list', async () => {
    const get = (cookie: string, query = '') =>
      fetch(`${base}/${query}`, { headers: { cookie, 'accept-language': 'en' } }).then((r) =>
        r.text(),
      );
    expect(await get(`${LANGUAGE_COOKIE}=de`, '?ui_locales=en')).toBe('de');
    expect(await get(`${LANGUAGE_COOKIE}=klingon`, '?ui_locales=de')).toBe('de');
    expect(await get(`${LANGUAGE_COOKIE}=de`, '?lang=en')).toBe('en');
  });
});
