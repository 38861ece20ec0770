import { chromium, type Browser, type BrowserContextOptions } from 'playwright-core';
import { findChromium } from '../../helpers/find-chromium.ts';

/*
 * Debian's Chromium (installed by `npm test`'s set-up step with apt, test/setup/chromium-step.ts):
 * `npx playwright install` cannot download a browser on these machines
 * (../shared/docs/stack-notes.md, "Browser").
 */

/** The flags the stack notes list: headless, no sandbox (containers), nothing talking to Google. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** Starts Chromium; `chromium.launch` gives each launch a fresh, temporary profile. */
export function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium();
  if (executablePath === undefined) {
    throw new Error(
      'Chromium not found: run `npm run test:setup` (it installs it) or set CHROMIUM_PATH',
    );
  }
  return chromium.launch({ executablePath, args: FLAGS, timeout: 20_000 });
}

/**
 * Context options every test starts from: desktop, light, English unless the test says otherwise.
 * Reduced motion turns off the buttons' colour transition (portcullis.css), so colours read
 * right after switching the colour scheme are the final ones, not a frame of the fade.
 */
export function contextOptions(overrides: BrowserContextOptions = {}): BrowserContextOptions {
  return {
    viewport: VIEWPORTS.desktop,
    colorScheme: 'light',
    locale: 'en-US',
    reducedMotion: 'reduce',
    ...overrides,
  };
}
