import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createViewRenderer } from '../../src/ui/render-view.ts';
import type { ViewRenderer } from '../../src/ui/render-view.ts';
import { consentPage } from '../../src/ui/consent-page.ts';
import { errorPage, expiredPage } from '../../src/ui/error-page.ts';
import { homePage } from '../../src/ui/home-page.ts';
import { loggedOutPage } from '../../src/ui/logged-out-page.ts';
import { loginPage } from '../../src/ui/login-page.ts';
import { logoutPage } from '../../src/ui/logout-page.ts';
import { siteLocals } from '../../src/ui/site-locals.ts';
import type { HomePageLocals } from '../../src/ui/template-contract.ts';
import { SCOPE_CLAIMS } from '../../src/oidc/scopes.ts';

const VIEWS_DIR = path.resolve(import.meta.dirname, '../../views');

const HOSTILE = '<script>alert(1)</script>';
const HOSTILE_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const LOGOUT_FORM =
  '<form id="op.logoutForm" method="post" action="/session/end/confirm"><input type="hidden" name="xsrf" value="x5rf"/></form>';

interface Tag {
  name: string;
  attrs: Map<string, string>;
}

/**
 * Every start tag with its attributes. A regex is enough here: the templates quote every
 * attribute and `<%= %>` escapes `"`, `<` and `>` inside values, so a `>` always ends a tag.
 */
function tags(html: string): Tag[] {
  const found: Tag[] = [];
  for (const match of html.matchAll(/<([a-zA-Z][\w.-]*)((?:\s[^>]*)?)\/?>/g)) {
    const attrs = new Map<string, string>();
    for (const attr of (match[2] ?? '').matchAll(/([^\s=/]+)(?:="([^"]*)")?/g)) {
      attrs.set((attr[1] ?? '').toLowerCase(), attr[2] ?? '');
    }
    found.push({ name: (match[1] ?? '').toLowerCase(), attrs });
  }
  return found;
}

function find(html: string, name: string, where: Record<string, string> = {}): Tag[] {
  return tags(html).filter(
    (tag) =>
      tag.name === name &&
      Object.entries(where).every(([attr, value]) => tag.attrs.get(attr) === value),
  );
}

/** What every page must satisfy, whatever its content (CSP, RFC 9700 §4.2.4, WCAG basics). */
function expectSoundPage(
  html: string,
  options: { allowedUrls?: string[]; lang?: string; stylesheets?: string[] } = {},
): void {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(find(html, 'html', { lang: options.lang ?? 'en' })).toHaveLength(1);
  expect(find(html, 'meta', { name: 'viewport' })).toHaveLength(1);
  expect(find(html, 'meta', { name: 'robots', content: 'noindex' })).toHaveLength(1);
  expect(html).toMatch(/<title>[^<]+<\/title>/);
  expect(find(html, 'link', { rel: 'stylesheet' })).toEqual(
    (options.stylesheets ?? ['/assets/portcullis.css']).map((href) => ({
      name: 'link',
      attrs: new Map([
        ['rel', 'stylesheet'],
        ['href', href],
      ]),
    })),
  );
  for (const landmark of ['header', 'main', 'footer']) expect(find(html, landmark)).toHaveLength(1);

  // The CSP allows no scripts and only 'self' styles: nothing inline may be needed.
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<style/i);
  expect(html).not.toMatch(/\sstyle=/i);
  for (const tag of tags(html)) {
    for (const attr of tag.attrs.keys()) expect(attr).not.toMatch(/^on/);
  }

  // No third-party resources or links, except what the test allows (a client logo).
  const allowed = new Set(options.allowedUrls ?? []);
  for (const tag of tags(html)) {
    for (const attr of ['src', 'href', 'action', 'srcset', 'formaction']) {
      const value = tag.attrs.get(attr);
      if (value === undefined || allowed.has(value)) continue;
      expect(`${tag.name} ${attr}=${value}`).toMatch(/^[a-z0-9.-]+ [a-z]+=[/#](?![/\\])/);
    }
  }

  const ids = tags(html).flatMap((tag) => tag.attrs.get('id') ?? []);
  expect(new Set(ids).size).toBe(ids.length);

  // WCAG 1.3.1 / 4.1.2: every visible field has a label bound to it.
  for (const input of find(html, 'input').filter((tag) => tag.attrs.get('type') !== 'hidden')) {
    const id = input.attrs.get('id');
    expect(id).toBeDefined();
    expect(find(html, 'label', { for: id ?? '' })).toHaveLength(1);
  }
}

const page = { productName: 'Portcullis', lang: 'en' };
const login = {
  ...page,
  uid: 'uid-1',
  csrfToken: 'csrf-token-1',
  client: { name: 'Acme Notes' },
};

describe('createViewRenderer', () => {
  let render: ViewRenderer;

  beforeAll(() => {
    render = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true });
  });

  describe('login page', () => {
    it('renders a sound page with labelled fields and the right autocomplete', async () => {
      const html = await render('login', loginPage(login));
      expectSoundPage(html);
      const [username] = find(html, 'input', { name: 'username' });
      expect(username?.attrs.get('id')).toBe('username');
      expect(username?.attrs.get('autocomplete')).toBe('username');
      expect(username?.attrs.get('autocapitalize')).toBe('none');
      expect(username?.attrs.get('spellcheck')).toBe('false');
      expect(username?.attrs.has('required')).toBe(true);
      const [password] = find(html, 'input', { name: 'password' });
      expect(password?.attrs.get('type')).toBe('password');
      expect(password?.attrs.get('autocomplete')).toBe('current-password');
      expect(password?.attrs.has('required')).toBe(true);
      expect(password?.attrs.has('value')).toBe(false);
    });

    it('posts both forms plainly with the csrf token', async () => {
      const html = await render('login', loginPage(login));
      const forms = find(html, 'form', { method: 'post' });
      expect(forms.map((form) => form.attrs.get('action'))).toEqual([
        '/interaction/uid-1/login',
        '/interaction/uid-1/abort',
      ]);
      expect(
        find(html, 'input', { type: 'hidden', name: 'csrf', value: 'csrf-token-1' }),
      ).toHaveLength(2);
      const [cancel] = find(html, 'button', { form: 'login-cancel' });
      expect(cancel).toBeDefined();
      expect(find(html, 'form', { id: 'login-cancel' })).toHaveLength(1);
    });

    it('shows no alert and no invalid field before any error', async () => {
      const html = await render('login', loginPage(login));
      expect(html).not.toContain('role="alert"');
      expect(html).not.toContain('aria-invalid');
    });

    it('announces the generic error and ties both fields to it', async () => {
      const html = await render(
        'login',
        loginPage({ ...login, error: 'invalid_credentials', username: 'alice' }),
      );
      expectSoundPage(html);
      const [alert] = find(html, 'div', { role: 'alert' });
      const alertId = alert?.attrs.get('id') ?? 'missing';
      expect(html).toContain('The username or password is incorrect.');
      for (const name of ['username', 'password']) {
        const [field] = find(html, 'input', { name });
        expect(field?.attrs.get('aria-invalid')).toBe('true');
        expect(field?.attrs.get('aria-describedby')).toBe(alertId);
      }
      expect(find(html, 'input', { name: 'username' })[0]?.attrs.get('value')).toBe('alice');
    });

    it('escapes a hostile client name, username and product name', async () => {
      const html = await render(
        'login',
        loginPage({
          ...login,
          productName: HOSTILE,
          client: { name: HOSTILE },
          username: '"><script>alert(2)</script>',
          csrfToken: '"><b>',
          error: 'invalid_credentials',
        }),
      );
      expectSoundPage(html);
      expect(html).toContain(`Sign in to continue to ${HOSTILE_ESCAPED}`);
      expect(html).toContain(HOSTILE_ESCAPED);
      expect(find(html, 'input', { name: 'username' })[0]?.attrs.get('value')).toBe(
        '&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;',
      );
      expect(find(html, 'b')).toHaveLength(0);
    });

    it('shows an https client logo', async () => {
      const logoUri = 'https://cdn.acme.example/logo.png';
      const html = await render(
        'login',
        loginPage({ ...login, client: { name: 'Acme', logoUri } }),
      );
      expectSoundPage(html, { allowedUrls: [logoUri] });
      expect(find(html, 'img', { src: logoUri })).toHaveLength(1);
    });

    it.each([
      'http://cdn.acme.example/logo.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
    ])('leaves out a client logo at %s', async (logoUri) => {
      const html = await render(
        'login',
        loginPage({ ...login, client: { name: 'Acme', logoUri } }),
      );
      expectSoundPage(html);
      expect(html).not.toContain(logoUri);
      expect(html).toContain('pc-client-monogram');
    });
  });

  describe('consent page', () => {
    const consent = {
      ...login,
      scopes: ['openid', 'email', 'offline_access'],
      claims: ['given_name'],
      scopeClaims: SCOPE_CLAIMS,
      accountName: 'alice@example.com',
    };

    it('lists scopes and claims in plain words and shows who is signed in', async () => {
      const html = await render('consent', consentPage(consent));
      expectSoundPage(html);
      expect(html).toContain('Acme Notes wants to access your account');
      expect(html).toContain('Signed in as alice@example.com');
      expect(html).toContain('Sign you in / know who you are');
      expect(html).toContain('Your email address');
      expect(html).toContain('Stay connected when you&#39;re away');
      expect(html).toContain('Your first name');
    });

    it('posts one form with the csrf token and allow and deny buttons', async () => {
      const html = await render('consent', consentPage(consent));
      expect(
        find(html, 'form', { method: 'post', action: '/interaction/uid-1/consent' }),
      ).toHaveLength(1);
      expect(
        find(html, 'input', { type: 'hidden', name: 'csrf', value: 'csrf-token-1' }),
      ).toHaveLength(1);
      expect(
        find(html, 'button', { type: 'submit', name: 'decision', value: 'approve' }),
      ).toHaveLength(1);
      expect(
        find(html, 'button', { type: 'submit', name: 'decision', value: 'deny' }),
      ).toHaveLength(1);
      expect(html).toMatch(/value="approve">Allow<\/button>/);
      expect(html).toMatch(/value="deny">Deny<\/button>/);
    });

    it('escapes hostile client, account and scope names', async () => {
      const html = await render(
        'consent',
        consentPage({
          ...consent,
          client: { name: HOSTILE },
          accountName: HOSTILE,
          scopes: [HOSTILE],
          claims: ['<img src=x>'],
        }),
      );
      expectSoundPage(html);
      expect(html).toContain(`Access to ‘${HOSTILE_ESCAPED}’`);
      expect(html).toContain(`Signed in as ${HOSTILE_ESCAPED}`);
      expect(find(html, 'img')).toHaveLength(1); // only the product logo in the header
    });
  });

  describe('logout page', () => {
    it('outputs the library form as it is and targets it with both buttons', async () => {
      const html = await render('logout', logoutPage({ ...page, formHtml: LOGOUT_FORM }));
      expectSoundPage(html);
      expect(html).toContain(LOGOUT_FORM);
      expect(
        find(html, 'button', { form: 'op.logoutForm', name: 'logout', value: 'yes' }),
      ).toHaveLength(1);
      const stay = find(html, 'button', { form: 'op.logoutForm' }).filter(
        (b) => !b.attrs.has('name'),
      );
      expect(stay).toHaveLength(1);
      expect(html).toMatch(/>Sign out<\/button>/);
      expect(html).toMatch(/>Stay signed in<\/button>/);
    });

    it('escapes a hostile client name', async () => {
      const html = await render(
        'logout',
        logoutPage({ ...page, formHtml: LOGOUT_FORM, clientName: HOSTILE }),
      );
      expectSoundPage(html);
      expect(html).toContain(HOSTILE_ESCAPED);
    });
  });

  describe('signed-out page', () => {
    it('says the user is signed out of the client, escaped', async () => {
      const html = await render('logged-out', loggedOutPage({ ...page, clientName: HOSTILE }));
      expectSoundPage(html);
      expect(html).toContain(`You have been signed out of ${HOSTILE_ESCAPED}.`);
    });
  });

  describe('error page', () => {
    it('shows friendly text and the reference, escaped', async () => {
      const html = await render(
        'error',
        errorPage({ ...page, status: 400, message: HOSTILE, requestId: '<req-1>', backUrl: '/' }),
      );
      expectSoundPage(html);
      expect(html).toContain(HOSTILE_ESCAPED);
      expect(html).toContain('Reference: &lt;req-1&gt;');
      expect(find(html, 'a', { href: '/' })).toHaveLength(1);
    });

    it('shows neither the message nor a stack for a 5xx', async () => {
      const html = await render(
        'error',
        errorPage({
          ...page,
          status: 500,
          message: 'TypeError: x is undefined\n    at handler (/srv/src/app.ts:10:5)',
          requestId: 'req-2',
        }),
      );
      expectSoundPage(html);
      expect(html).not.toContain('TypeError');
      expect(html).not.toContain('/srv/');
      expect(html).toContain('Something went wrong on our side');
      expect(html).toContain('Reference: req-2');
    });
  });

  describe('home page', () => {
    it('says what this is and links the discovery document', async () => {
      const html = await render('home', homePage({ ...page, issuer: 'http://localhost:3000' }));
      expectSoundPage(html);
      expect(find(html, 'a', { href: '/.well-known/openid-configuration' })).toHaveLength(1);
      expect(html).toContain('<code>http://localhost:3000</code>');
    });
  });

  it('refuses a view that is not a page', async () => {
    const renderAny = render as (view: string, locals: unknown) => Promise<string>;
    await expect(renderAny('../package', {})).rejects.toThrow(/unknown view/);
    await expect(renderAny('partials/client', {})).rejects.toThrow(/unknown view/);
  });

  it('fails loudly when a template reads a value its view-model did not set', async () => {
    const locals = homePage({ ...page, issuer: 'https://id.example' });
    const incomplete = Object.fromEntries(
      Object.entries(locals).filter(([key]) => key !== 'heading'),
    );
    await expect(render('home', incomplete as unknown as HomePageLocals)).rejects.toThrow(
      /locals\.heading/,
    );
  });
});

describe('template caching', () => {
  let dir: string;
  const locals = homePage({ ...page, issuer: 'https://id.example' });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-views-'));
    cpSync(VIEWS_DIR, dir, { recursive: true });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles once with cache on, and re-reads templates with cache off', async () => {
    const cached = createViewRenderer({ viewsDir: dir, cache: true });
    const fresh = createViewRenderer({ viewsDir: dir, cache: false });
    const before = await cached('home', locals);
    expect(await fresh('home', locals)).toBe(before);

    appendFileSync(path.join(dir, 'home.ejs'), '<p>edited</p>\n');

    expect(await cached('home', locals)).toBe(before);
    expect(await fresh('home', locals)).toContain('<p>edited</p>');
  });
});

describe('languages, site settings and the expired page', () => {
  let render: ViewRenderer;

  beforeAll(() => {
    render = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true });
  });

  it('renders a German page with lang="de" and a switcher that names each language in itself', async () => {
    const html = await render(
      'login',
      loginPage({ ...login, lang: 'de', here: '/interaction/uid-1' }),
    );
    expectSoundPage(html, { lang: 'de' });
    expect(html).toContain('<h1 class="pc-title">Anmelden</h1>');
    expect(find(html, 'nav', { class: 'pc-languages', 'aria-label': 'Sprache' })).toHaveLength(1);
    expect(
      find(html, 'a', { href: '/interaction/uid-1?lang=en', hreflang: 'en', lang: 'en' }),
    ).toHaveLength(1);
    expect(find(html, 'span', { lang: 'de', 'aria-current': 'true' })).toHaveLength(1);
    expect(find(html, 'a', { hreflang: 'de' })).toHaveLength(0);
  });

  it('leaves the switcher out when the page has no address to link to', async () => {
    const html = await render('login', loginPage({ ...login, error: 'invalid_credentials' }));
    expect(find(html, 'nav')).toHaveLength(0);
  });

  it('sends the client id back in hidden fields of every interaction form', async () => {
    const withId = { ...login, client: { id: '"><b>notes', name: 'Acme Notes' } };
    const loginHtml = await render('login', loginPage(withId));
    expect(
      find(loginHtml, 'input', {
        type: 'hidden',
        name: 'client_id',
        value: '&#34;&gt;&lt;b&gt;notes',
      }),
    ).toHaveLength(2);
    const consentHtml = await render(
      'consent',
      consentPage({
        ...withId,
        scopes: ['openid'],
        claims: [],
        scopeClaims: SCOPE_CLAIMS,
        accountName: 'alice',
      }),
    );
    expect(find(consentHtml, 'input', { type: 'hidden', name: 'client_id' })).toHaveLength(1);
    expect(
      find(await render('login', loginPage(login)), 'input', { name: 'client_id' }),
    ).toHaveLength(0);
  });

  it('links the theme stylesheet after ours, the configured logo, and escaped footer links', async () => {
    const site = siteLocals({
      logoUrl: 'https://cdn.acme.example/logo.svg',
      themeStylesheetHref: '/assets/theme.css?v=abc',
      footerLinks: [
        { label: 'Privacy & terms', url: 'https://acme.example/privacy' },
        { label: HOSTILE, url: '/help' },
      ],
    });
    const themed = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true, site });
    const html = await themed(
      'home',
      homePage({ ...page, issuer: 'https://id.example', here: '/' }),
    );
    expectSoundPage(html, {
      stylesheets: ['/assets/portcullis.css', '/assets/theme.css?v=abc'],
      allowedUrls: ['https://cdn.acme.example/logo.svg', 'https://acme.example/privacy'],
    });
    expect(
      find(html, 'img', { class: 'pc-header-logo', src: 'https://cdn.acme.example/logo.svg' }),
    ).toHaveLength(1);
    expect(
      find(html, 'link', { rel: 'icon', href: 'https://cdn.acme.example/logo.svg' }),
    ).toHaveLength(1);
    expect(
      find(html, 'nav', { class: 'pc-footer-links', 'aria-label': 'About this service' }),
    ).toHaveLength(1);
    expect(html).toContain('>Privacy &amp; terms</a>');
    expect(html).toContain(`>${HOSTILE_ESCAPED}</a>`);
  });

  it('marks an error detail in another language with its own lang', async () => {
    const html = await render(
      'error',
      errorPage({
        ...page,
        lang: 'de',
        status: 400,
        message: 'bad <redirect_uri>',
        requestId: 'r',
      }),
    );
    expectSoundPage(html, { lang: 'de' });
    expect(html).toContain(
      '<p class="pc-detail">Technische Details: <span lang="en">bad &lt;redirect_uri&gt;</span></p>',
    );
  });

  it('renders the expired page with a button to the app', async () => {
    const html = await render(
      'error',
      expiredPage({
        ...page,
        requestId: 'r',
        client: { name: 'Acme Notes', initiateLoginUri: 'https://acme.example/start' },
      }),
    );
    expectSoundPage(html, { allowedUrls: ['https://acme.example/start'] });
    expect(
      find(html, 'a', { class: 'pc-button pc-button-primary', href: 'https://acme.example/start' }),
    ).toHaveLength(1);
    expect(html).toContain('>Back to Acme Notes</a>');
  });
});
