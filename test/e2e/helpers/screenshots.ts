import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import { VIEWPORTS } from './browser.ts';

/** Test artifacts (gitignored): one PNG per page state, viewport and colour scheme. */
export const SCREENSHOT_DIR = path.resolve(
  import.meta.dirname,
  '../../../test-results/screenshots',
);

type Viewport = keyof typeof VIEWPORTS;
type Scheme = 'light' | 'dark';

export interface ShotOptions {
  /** Which viewport × scheme pairs to take; by default all four. */
  variants?: readonly (readonly [Viewport, Scheme])[];
}

const ALL: readonly (readonly [Viewport, Scheme])[] = [
  ['desktop', 'light'],
  ['desktop', 'dark'],
  ['phone', 'light'],
  ['phone', 'dark'],
];

/**
 * Saves full-page screenshots of the page as it is now, as `<name>--<viewport>-<scheme>.png`,
 * then puts the viewport and colour scheme back. The page is not reloaded: a screenshot of a
 * state reached by posting a form shows exactly that state.
 */
export async function screenshot(
  page: Page,
  name: string,
  options: ShotOptions = {},
): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const saved: string[] = [];
  for (const [viewport, scheme] of options.variants ?? ALL) {
    await page.setViewportSize(VIEWPORTS[viewport]);
    await page.emulateMedia({ colorScheme: scheme });
    const file = path.join(SCREENSHOT_DIR, `${name}--${viewport}-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    saved.push(file);
  }
  if (before !== null) await page.setViewportSize(before);
  await page.emulateMedia({ colorScheme: 'light' });
  return saved;
}

/**
 * Issue 7 item 6: our pages carry no inline script of any kind (the CSP would refuse it anyway);
 * since issue 14 the only scripts are the same-origin passkey files (`/assets/*.js`).
 */
export async function expectNoScripts(page: Page): Promise<void> {
  const sources = await page
    .locator('script')
    .evaluateAll((scripts) => scripts.map((s) => s.getAttribute('src') ?? 'inline'));
  for (const src of sources) expect(src).toMatch(/^\/assets\/[\w.-]+\.js$/);
  const html = await page.content();
  expect(html).not.toMatch(/\son[a-z]+=|javascript:/i);
}
