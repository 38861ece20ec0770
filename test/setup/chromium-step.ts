/**
 * Chromium for the browser suites (test/e2e, driven by playwright-core). Debian's package, since
 * `npx playwright install` cannot download a browser build on these machines
 * (../shared/docs/stack-notes.md, "Browser").
 */
import { findChromium } from '../helpers/find-chromium.ts';
import type { SetupStep } from './setup-step.ts';

const PACKAGE = 'chromium';

export const chromiumStep: SetupStep = {
  name: 'chromium',
  run({ packages, say }) {
    const found = findChromium();
    if (found !== undefined) return { status: 'ready', detail: found };

    const given = process.env['CHROMIUM_PATH'];
    if (given !== undefined && given !== '') {
      // The user said where it is: installing another one would not change that.
      return {
        status: 'missing',
        line: `chromium: CHROMIUM_PATH=${given} is not an executable file`,
      };
    }
    const hint = `chromium: not installed; install it with: ${packages.command([PACKAGE])} (or set CHROMIUM_PATH)`;
    if (!packages.canInstall()) return { status: 'missing', line: hint };

    say(`chromium: not installed; installing the Debian package ${PACKAGE} (a minute or two)`);
    const installed = packages.install([PACKAGE]);
    if (!installed.ok) return { status: 'missing', line: `chromium: ${installed.why}` };
    const after = findChromium();
    return after === undefined
      ? {
          status: 'missing',
          line: `chromium: installed ${PACKAGE}, but no \`chromium\` is on PATH`,
        }
      : { status: 'ready', detail: after };
  },
};
