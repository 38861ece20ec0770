import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkTemplatesDir,
  createViewRenderer,
  TEMPLATE_MANIFEST,
  TemplateContractError,
} from '../../src/ui/render-view.ts';
import { homePage } from '../../src/ui/home-page.ts';
import { loginPage } from '../../src/ui/login-page.ts';
import { siteLocals } from '../../src/ui/site-locals.ts';
import { TEMPLATE_CONTRACT_VERSION } from '../../src/ui/template-contract.ts';

const VIEWS_DIR = path.resolve(import.meta.dirname, '../../views');
const page = { productName: 'Acme ID', lang: 'en' };
const home = homePage({ ...page, issuer: 'https://id.acme.example' });
const login = loginPage({
  ...page,
  uid: 'uid-1',
  csrfToken: 'csrf-1',
  client: { id: 'notes', name: 'Acme Notes' },
});

let dir: string;

function write(relative: string, text: string): void {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function manifest(contract: unknown = TEMPLATE_CONTRACT_VERSION): void {
  write(TEMPLATE_MANIFEST, JSON.stringify({ contract }));
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'portcullis-templates-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('custom templates (ui.templatesDir)', () => {
  it('uses a custom page template in place of ours, and ours for every other page', async () => {
    manifest();
    write('home.ejs', '<h1 class="acme-home"><%= locals.heading %></h1>\n');
    const render = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true, templatesDir: dir });
    const html = await render('home', home);
    expect(html).toContain('<h1 class="acme-home">Acme ID</h1>');
    // Still inside our layout.
    expect(html).toContain('<footer class="pc-footer">');
    const loginHtml = await render('login', login);
    expect(loginHtml).toContain('autocomplete="current-password"');
  });

  it('uses a custom layout with the site locals', async () => {
    manifest();
    write(
      '_layout.ejs',
      '<!doctype html><html lang="<%= locals.layout.lang %>"><body data-logo="<%= locals.site.logoSrc %>"><%- locals.body %></body></html>\n',
    );
    const render = createViewRenderer({
      viewsDir: VIEWS_DIR,
      cache: false,
      templatesDir: dir,
      site: siteLocals({ logoUrl: 'https://cdn.acme.example/logo.svg' }),
    });
    const html = await render('home', home);
    expect(html).toMatch(
      /^<!doctype html><html lang="en"><body data-logo="https:\/\/cdn\.acme\.example\/logo\.svg"><h1/,
    );
  });

  it('uses a custom partial from our own page templates', async () => {
    manifest();
    write('partials/client.ejs', '<p class="acme-client"><%= locals.client.name %></p>\n');
    const render = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true, templatesDir: dir });
    const html = await render('login', login);
    expect(html).toContain('<p class="acme-client">Acme Notes</p>');
    expect(html).not.toContain('pc-client-monogram');
  });

  it('renders our templates unchanged without a custom folder', async () => {
    const ours = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true });
    manifest();
    const empty = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true, templatesDir: dir });
    expect(await empty('login', login)).toBe(await ours('login', login));
  });

  it('fails loudly when a custom template reads a local its page does not have', async () => {
    manifest();
    write('home.ejs', '<h1><%= locals.headline %></h1>\n');
    const render = createViewRenderer({ viewsDir: VIEWS_DIR, cache: true, templatesDir: dir });
    await expect(render('home', home)).rejects.toThrow(/locals\.headline/);
  });
});

describe('the template contract check', () => {
  function refusal(): string {
    try {
      createViewRenderer({ viewsDir: VIEWS_DIR, cache: true, templatesDir: dir });
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateContractError);
      return (err as Error).message;
    }
    throw new Error('expected the renderer to refuse the folder');
  }

  it('refuses a folder without portcullis-templates.json, saying which contract to check against', () => {
    write('home.ejs', '<h1>x</h1>');
    const message = refusal();
    expect(message).toContain(`ui.templatesDir (${dir})`);
    expect(message).toContain(`${TEMPLATE_MANIFEST} is missing`);
    expect(message).toContain(`{"contract": ${TEMPLATE_CONTRACT_VERSION}}`);
    expect(message).toContain('docs/templates.md');
  });

  it('refuses templates written for another contract version, naming both', () => {
    manifest(TEMPLATE_CONTRACT_VERSION + 1);
    expect(refusal()).toContain(
      `written for template contract ${TEMPLATE_CONTRACT_VERSION + 1}, but this version of Portcullis uses contract ${TEMPLATE_CONTRACT_VERSION}`,
    );
    manifest(0);
    expect(refusal()).toContain('written for template contract 0');
  });

  it.each([['"1"'], ['1.5'], ['null']])(
    'refuses a contract that is not a whole number (%s)',
    (value) => {
      write(TEMPLATE_MANIFEST, `{"contract": ${value}}`);
      expect(refusal()).toContain('as a whole number');
    },
  );

  it('refuses a manifest that is not JSON', () => {
    write(TEMPLATE_MANIFEST, 'contract = 1');
    expect(refusal()).toContain('is not valid JSON');
  });

  it('refuses a misspelt template name instead of silently ignoring it', () => {
    manifest();
    write('loginn.ejs', '<h1>x</h1>');
    write('partials/clients.ejs', '<p>x</p>');
    const message = refusal();
    expect(message).toContain('unknown template file(s) loginn.ejs, partials/clients.ejs');
    expect(message).toContain('login.ejs');
    expect(message).toContain('partials/client.ejs');
  });

  it('refuses a folder that does not exist', () => {
    rmSync(dir, { recursive: true, force: true });
    expect(refusal()).toContain('no such folder');
  });

  it('accepts a folder that declares the current contract and holds only known templates', () => {
    manifest();
    write('login.ejs', '<h1>x</h1>');
    write('_layout.ejs', '<%- locals.body %>');
    write('partials/client.ejs', '<p>x</p>');
    write('README.txt', 'notes for the operator');
    expect(() => checkTemplatesDir(dir, VIEWS_DIR)).not.toThrow();
  });
});
