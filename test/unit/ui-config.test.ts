import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/load-config.ts';

function ok(env: Record<string, string>) {
  const result = loadConfig({ NODE_ENV: 'test', ...env });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.ui;
}

function errors(env: Record<string, string>): string[] {
  const result = loadConfig({ NODE_ENV: 'test', ...env });
  if (result.ok) throw new Error(`expected ${JSON.stringify(env)} to be refused`);
  return result.errors;
}

describe('ui configuration (theming)', () => {
  it('defaults to our logo, our colours, no footer links and the built-in templates', () => {
    const ui = ok({});
    expect(ui.logoUrl).toBe('/assets/logo.svg');
    expect(ui.primaryColor).toBeUndefined();
    expect(ui.footerLinks).toEqual([]);
    expect(ui.templatesDir).toBeUndefined();
  });

  it('reads every key from its environment variable, footer links as JSON', () => {
    const links = [
      { label: 'Privacy', url: 'https://acme.example/privacy' },
      { label: 'Help', url: '/help' },
    ];
    const ui = ok({
      UI_LOGO_URL: 'https://cdn.acme.example/logo.svg',
      UI_PRIMARY_COLOR: '#0F766E',
      UI_FOOTER_LINKS: JSON.stringify(links),
      UI_TEMPLATES_DIR: '/etc/portcullis/templates',
    });
    expect(ui).toMatchObject({
      logoUrl: 'https://cdn.acme.example/logo.svg',
      primaryColor: '#0F766E',
      footerLinks: links,
      templatesDir: '/etc/portcullis/templates',
    });
  });

  it.each([
    '/assets/acme.svg',
    'https://cdn.acme.example/logo.png',
    'https://cdn.acme.example/l.svg?v=2',
  ])('accepts the logo %s (a path on this server or https)', (logo) => {
    expect(ok({ UI_LOGO_URL: logo }).logoUrl).toBe(logo);
  });

  it.each([
    'http://cdn.acme.example/logo.png',
    '//evil.example/logo.png',
    '/\\evil.example/logo.png',
    'javascript:alert(1)',
    'data:image/svg+xml,<svg/>',
    'logo.svg',
    'https://user:pw@cdn.acme.example/logo.png',
    '/assets/logo.svg\n',
  ])('refuses the logo %j, naming UI_LOGO_URL', (logo) => {
    expect(errors({ UI_LOGO_URL: logo })).toEqual([
      expect.stringMatching(/^UI_LOGO_URL \(ui\.logoUrl\): expected a path on this server/),
    ]);
  });

  it.each(['#1d4ed8', '#1D4ED8', '#abc'])('accepts the colour %s', (colour) => {
    expect(ok({ UI_PRIMARY_COLOR: colour }).primaryColor).toBe(colour);
  });

  it.each(['1d4ed8', '#1d4ed', 'blue', '#12345g', 'red; } body { display:none', 'rgb(0,0,0)'])(
    'refuses the colour %j, naming UI_PRIMARY_COLOR',
    (colour) => {
      expect(errors({ UI_PRIMARY_COLOR: colour })).toEqual([
        expect.stringMatching(/^UI_PRIMARY_COLOR \(ui\.primaryColor\): expected a hex colour/),
      ]);
    },
  );

  it('refuses footer links that are not JSON, not https or same-origin, unlabelled, unknown-keyed or too many', () => {
    expect(errors({ UI_FOOTER_LINKS: 'Privacy=https://x' })[0]).toMatch(
      /^UI_FOOTER_LINKS \(ui\.footerLinks\): expected array/,
    );
    expect(
      errors({ UI_FOOTER_LINKS: '[{"label":"Privacy","url":"http://acme.example/privacy"}]' })[0],
    ).toMatch(/^UI_FOOTER_LINKS \(ui\.footerLinks\.0\.url\): expected a path on this server/);
    expect(
      errors({ UI_FOOTER_LINKS: '[{"label":"Evil","url":"javascript:alert(1)"}]' })[0],
    ).toMatch(/ui\.footerLinks\.0\.url/);
    expect(errors({ UI_FOOTER_LINKS: '[{"label":"  ","url":"/help"}]' })[0]).toMatch(
      /ui\.footerLinks\.0\.label/,
    );
    expect(
      errors({ UI_FOOTER_LINKS: '[{"label":"Help","url":"/help","target":"_blank"}]' })[0],
    ).toMatch(/unknown key\(s\) "target"/);
    const nine = JSON.stringify(
      Array.from({ length: 9 }, (_, i) => ({ label: `L${i}`, url: `/l${i}` })),
    );
    expect(errors({ UI_FOOTER_LINKS: nine })[0]).toMatch(/^UI_FOOTER_LINKS \(ui\.footerLinks\)/);
  });

  it('trims footer link labels', () => {
    expect(ok({ UI_FOOTER_LINKS: '[{"label":" Help ","url":"/help"}]' }).footerLinks).toEqual([
      { label: 'Help', url: '/help' },
    ]);
  });
});
