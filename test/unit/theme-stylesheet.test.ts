import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import {
  buildThemeStylesheet,
  contrastRatio,
  serveThemeStylesheet,
  themeStylesheet,
  THEME_STYLESHEET_PATH,
} from '../../src/ui/theme-stylesheet.ts';

/** The custom properties of the light block and of the dark (media query) block. */
function properties(css: string): { light: Record<string, string>; dark: Record<string, string> } {
  const at = css.indexOf('@media');
  const read = (text: string) =>
    Object.fromEntries(
      [...text.matchAll(/(--pc-[a-z-]+): (#[0-9a-f]{6});/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
  return {
    light: read(at === -1 ? css : css.slice(0, at)),
    dark: read(at === -1 ? '' : css.slice(at)),
  };
}

// The backgrounds primary-coloured text sits on in portcullis.css (light page background,
// light card, dark card, dark muted surface).
const LIGHT_BACKGROUNDS = ['#eef1f6', '#ffffff'];
const DARK_BACKGROUNDS = ['#181c23', '#1f242d', '#0e1116'];

describe('buildThemeStylesheet', () => {
  it('sets no colours when no primary colour is configured', () => {
    const css = buildThemeStylesheet({});
    expect(css).toContain('No ui.primaryColor');
    expect(properties(css)).toEqual({ light: {}, dark: {} });
  });

  it('uses a primary colour that is already readable as it is, in the light scheme', () => {
    const { light } = properties(buildThemeStylesheet({ primaryColor: '#0F766E' }));
    expect(light['--pc-primary']).toBe('#0f766e');
    expect(light['--pc-focus']).toBe('#0f766e');
    expect(light['--pc-on-primary']).toBe('#ffffff');
  });

  it('accepts the short #rgb form', () => {
    expect(properties(buildThemeStylesheet({ primaryColor: '#036' })).light['--pc-primary']).toBe(
      '#003366',
    );
  });

  it.each([
    '#f59e0b',
    '#ffff00',
    '#22c55e',
    '#ffffff',
    '#0f766e',
    '#e11d48',
    '#000000',
    '#000080',
    '#7c3aed',
  ])('derives WCAG AA colours from %s in both schemes', (primaryColor) => {
    const { light, dark } = properties(buildThemeStylesheet({ primaryColor }));
    for (const scheme of [light, dark]) {
      for (const name of [
        '--pc-primary',
        '--pc-primary-hover',
        '--pc-on-primary',
        '--pc-primary-soft',
        '--pc-focus',
      ]) {
        expect(scheme[name]).toMatch(/^#[0-9a-f]{6}$/);
      }
    }
    // Links and check marks on every background (SC 1.4.3), button text on the button.
    for (const bg of LIGHT_BACKGROUNDS)
      expect(contrastRatio(light['--pc-primary'] ?? '', bg)).toBeGreaterThanOrEqual(4.5);
    for (const bg of DARK_BACKGROUNDS)
      expect(contrastRatio(dark['--pc-primary'] ?? '', bg)).toBeGreaterThanOrEqual(4.5);
    for (const scheme of [light, dark]) {
      expect(
        contrastRatio(scheme['--pc-on-primary'] ?? '', scheme['--pc-primary'] ?? ''),
      ).toBeGreaterThanOrEqual(4.5);
      expect(
        contrastRatio(scheme['--pc-on-primary'] ?? '', scheme['--pc-primary-hover'] ?? ''),
      ).toBeGreaterThanOrEqual(4.5);
      // The monogram (large bold text) on its tinted tile (SC 1.4.3 large text: 3:1).
      expect(
        contrastRatio(scheme['--pc-primary'] ?? '', scheme['--pc-primary-soft'] ?? ''),
      ).toBeGreaterThanOrEqual(3);
    }
    // The focus ring against the card (SC 1.4.11: 3:1).
    expect(contrastRatio(light['--pc-focus'] ?? '', '#ffffff')).toBeGreaterThanOrEqual(3);
    expect(contrastRatio(dark['--pc-focus'] ?? '', '#181c23')).toBeGreaterThanOrEqual(3);
  });

  it('moves a too-light colour only as far as AA needs, keeping its hue', () => {
    const { light } = properties(buildThemeStylesheet({ primaryColor: '#f59e0b' }));
    const primary = light['--pc-primary'] ?? '';
    expect(primary).not.toBe('#f59e0b');
    expect(contrastRatio(primary, '#eef1f6')).toBeLessThan(5.2);
    const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(primary.slice(i, i + 2), 16));
    // Still an amber: red above green above blue.
    expect(r).toBeGreaterThan(g ?? 0);
    expect(g).toBeGreaterThan(b ?? 0);
  });

  it('refuses something that is not a hex colour (configuration validates it first)', () => {
    expect(() => buildThemeStylesheet({ primaryColor: 'red; } body { display: none' })).toThrow(
      /not a hex colour/,
    );
  });
});

describe('contrastRatio', () => {
  it('matches WCAG reference values', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });
});

describe('themeStylesheet', () => {
  it('versions the link by content, so a changed colour is a new URL', () => {
    const a = themeStylesheet({ primaryColor: '#0f766e' });
    expect(a.href).toBe(`${THEME_STYLESHEET_PATH}?v=${a.version}`);
    expect(themeStylesheet({ primaryColor: '#0f766e' }).href).toBe(a.href);
    expect(themeStylesheet({ primaryColor: '#0f766f' }).href).not.toBe(a.href);
    expect(themeStylesheet({}).href).not.toBe(a.href);
  });
});

describe('serveThemeStylesheet', () => {
  const theme = themeStylesheet({ primaryColor: '#0f766e' });
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.use(serveThemeStylesheet({ primaryColor: '#0f766e' }));
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = 'fell through';
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves the stylesheet as CSS, cached for a year under its versioned URL', async () => {
    const res = await fetch(`${base}${theme.href}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('etag')).toBe(`"${theme.version}"`);
    expect(await res.text()).toBe(theme.css);
  });

  it('makes an unversioned or outdated URL revalidate, and answers 304 to a matching ETag', async () => {
    for (const url of [
      `${base}${THEME_STYLESHEET_PATH}`,
      `${base}${THEME_STYLESHEET_PATH}?v=old`,
    ]) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, no-cache');
    }
    const again = await fetch(`${base}${theme.href}`, {
      headers: { 'if-none-match': `W/"${theme.version}"` },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await fetch(`${base}${theme.href}`, {
      headers: { 'if-none-match': '"something-else"' },
    });
    expect(changed.status).toBe(200);
  });

  it('answers HEAD without a body and leaves other paths and methods to the app', async () => {
    const head = await fetch(`${base}${theme.href}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(theme.css)));
    expect((await fetch(`${base}/assets/theme.css/x`)).status).toBe(404);
    expect((await fetch(`${base}${theme.href}`, { method: 'POST' })).status).toBe(404);
  });
});
