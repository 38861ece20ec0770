import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';

/** Where the generated stylesheet is served; the page links it with `?v=<hash>` (see below). */
export const THEME_STYLESHEET_PATH = '/assets/theme.css';

export interface ThemeInput {
  /** `ui.primaryColor`, `#rgb` or `#rrggbb` (validated by the configuration schema). */
  primaryColor?: string | undefined;
}

export interface ThemeStylesheet {
  readonly css: string;
  /** Content hash: the `v` of the link and the ETag, so a changed theme is a new URL. */
  readonly version: string;
  /** What pages link: `/assets/theme.css?v=<version>`. */
  readonly href: string;
}

type Rgb = readonly [number, number, number];

/**
 * The backgrounds primary-coloured text can sit on in portcullis.css that are hardest to read
 * on: the page background in the light scheme (`--pc-bg`, footer links) and the muted surface in
 * the dark scheme (`--pc-surface-muted`). Reaching 4.5:1 on these reaches it on the others.
 */
const LIGHT_BACKGROUND: Rgb = [0xee, 0xf1, 0xf6];
const DARK_BACKGROUND: Rgb = [0x1f, 0x24, 0x2d];
/** The card (`--pc-surface`), which the soft tints are mixed from. */
const LIGHT_SURFACE: Rgb = [0xff, 0xff, 0xff];
const DARK_SURFACE: Rgb = [0x18, 0x1c, 0x23];
const WHITE: Rgb = [0xff, 0xff, 0xff];
const BLACK: Rgb = [0, 0, 0];
/** Dark-scheme text on primary buttons (portcullis.css `--pc-on-primary`, dark). */
const DARK_ON_PRIMARY = '#0b1224';

/** WCAG 2.2 SC 1.4.3: normal text needs 4.5:1 against its background. */
const TEXT_CONTRAST = 4.5;

function parseHex(hex: string): Rgb {
  const digits = hex.replace(/^#/, '');
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits;
  if (!/^[0-9a-f]{6}$/i.test(full)) throw new TypeError(`not a hex colour: ${hex}`);
  return [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as unknown as Rgb;
}

function toHex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG 2.2 relative luminance (definition in "relative luminance", sRGB). */
function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.2 contrast ratio, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(parseHex(a)), luminance(parseHex(b))];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** `amount` (0–1) of `towards` mixed into `from`. */
function mix(from: Rgb, towards: Rgb, amount: number): Rgb {
  return from.map((c, i) => c + ((towards[i] ?? c) - c) * amount) as unknown as Rgb;
}

/**
 * The colour itself if it reaches `ratio` against `surface`, otherwise the least mix towards
 * `towards` (black for light surfaces, white for dark ones) that does. The operator's hue is
 * kept; only its lightness moves, just enough for WCAG AA.
 */
function readableOn(colour: Rgb, surface: Rgb, towards: Rgb, ratio: number): Rgb {
  for (let step = 0; step <= 100; step += 1) {
    const candidate = mix(colour, towards, step / 100).map(Math.round) as unknown as Rgb;
    if (contrastRatio(toHex(candidate), toHex(surface)) >= ratio) return candidate;
  }
  return towards;
}

function declarations(values: Readonly<Record<string, string>>, indent: string): string {
  return Object.entries(values)
    .map(([name, value]) => `${indent}${name}: ${value};`)
    .join('\n');
}

/**
 * The theme stylesheet for the configured colours: custom properties that override those of
 * portcullis.css, linked after it. The CSP forbids inline styles (`style-src 'self'`), so colours
 * from configuration reach the page only through a stylesheet of our own.
 *
 * From one primary colour it derives every colour that depends on it, in both schemes, so the
 * result stays WCAG 2.2 AA whatever the operator picks: link and button colours reach 4.5:1 on
 * the card (darkened in the light scheme, lightened in the dark one if needed), button text is
 * white or near-black, whichever reads, and the focus ring follows the primary (SC 1.4.11, 3:1).
 */
export function buildThemeStylesheet(input: ThemeInput): string {
  const header = '/* Portcullis theme, generated from the configuration (ui.*). */\n';
  if (input.primaryColor === undefined) {
    return `${header}/* No ui.primaryColor: portcullis.css's own colours apply. */\n`;
  }
  const base = parseHex(input.primaryColor);

  // Light scheme: dark enough for 4.5:1 on the lightest background, which also makes white
  // button text readable on it (white is lighter still). Hover darkens further.
  const light = readableOn(base, LIGHT_BACKGROUND, BLACK, TEXT_CONTRAST);
  const lightHover = mix(light, BLACK, 0.18);
  // Dark scheme: light enough for 4.5:1 on the lightest dark background; button text is the
  // near-black of portcullis.css, darker than every dark background. Hover lightens further.
  const dark = readableOn(base, DARK_BACKGROUND, WHITE, TEXT_CONTRAST);
  const darkHover = mix(dark, WHITE, 0.2);

  const lightVars = {
    '--pc-primary': toHex(light),
    '--pc-primary-hover': toHex(lightHover),
    '--pc-on-primary': '#ffffff',
    '--pc-primary-soft': toHex(mix(LIGHT_SURFACE, light, 0.1)),
    '--pc-focus': toHex(light),
  };
  const darkVars = {
    '--pc-primary': toHex(dark),
    '--pc-primary-hover': toHex(darkHover),
    '--pc-on-primary': DARK_ON_PRIMARY,
    '--pc-primary-soft': toHex(mix(DARK_SURFACE, dark, 0.18)),
    '--pc-focus': toHex(darkHover),
  };
  return [
    header,
    `:root {\n${declarations(lightVars, '  ')}\n}\n`,
    `@media (prefers-color-scheme: dark) {\n  :root {\n${declarations(darkVars, '    ')}\n  }\n}\n`,
  ].join('\n');
}

export function themeStylesheet(input: ThemeInput): ThemeStylesheet {
  const css = buildThemeStylesheet(input);
  const version = createHash('sha256').update(css).digest('base64url').slice(0, 16);
  return { css, version, href: `${THEME_STYLESHEET_PATH}?v=${version}` };
}

/**
 * Serves the theme stylesheet from memory. Caching (RFC 9111): the link carries the content
 * hash, so a request with the current `v` may be kept for a year without revalidation
 * (`immutable`); a changed configuration produces a new URL. Any other request (no `v`, or an
 * old page's `v`) must revalidate, and the ETag makes that a cheap 304.
 */
export function serveThemeStylesheet(input: ThemeInput): Middleware {
  const theme = themeStylesheet(input);
  const body = Buffer.from(theme.css, 'utf8');
  const etag = `"${theme.version}"`;
  return async function serveThemeStylesheet(ctx, next) {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path !== THEME_STYLESHEET_PATH) {
      await next();
      return;
    }
    ctx.set('ETag', etag);
    ctx.set(
      'Cache-Control',
      ctx.query.v === theme.version ? 'public, max-age=31536000, immutable' : 'public, no-cache',
    );
    const ifNoneMatch = ctx.get('If-None-Match');
    // RFC 9110 §13.1.2: weak comparison, and `*` matches any current representation.
    if (
      ifNoneMatch.trim() === '*' ||
      ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
    ) {
      ctx.status = 304;
      return;
    }
    // A header, not `ctx.type`, so Koa keeps the charset exactly as written.
    ctx.set('Content-Type', 'text/css; charset=utf-8');
    ctx.body = body;
  };
}
