import { expect } from '@jest/globals';
import type { Page as ChromiumPage } from 'playwright-core';
import { totpCode, totpStep, TOTP_PERIOD_SECONDS } from '../../src/mfa/totp.ts';
import { parseForms, TestBrowser, type Page } from './test-browser.ts';

/**
 * Signing in to the admin console (docs/console.md), shared by the HTTP suite
 * (test/integration/console*.test.ts, with TestBrowser) and the Chromium one
 * (test/e2e/console.test.ts): /console → the sign-in page → the second factor (the console's
 * client requires one: an admin without a factor enrols a TOTP app on the way, one with a factor
 * answers with a code) → consent the first time → back to the console.
 *
 * Which step a page is, and what to answer, is decided once here from the page's HTML; each
 * driver only fills in and submits.
 */

export interface ConsoleUser {
  username: string;
  password: string;
  /** Set by the first sign-in that enrolled a TOTP app: the secret, as an authenticator keeps it. */
  totp?: { secret: string; usedSteps: Set<number> } | undefined;
}

export interface SignInStep {
  kind: 'password' | 'enrol' | 'totp' | 'recovery-codes' | 'consent';
  /** A part of the form's action that finds it on the page. */
  action: string;
  fields: Record<string, string>;
  /** The button a person clicks (Chromium). */
  button: string;
}

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

/**
 * A code the server has not seen yet: each TOTP step works once (RFC 6238 §5.2, enforced across
 * processes), and the server accepts the previous, the current and the next step. The server
 * checks a moment after this runs, so its step is this one or the next: the current and the next
 * step are always safe; the previous only early in a step (late, it could be two behind by then).
 * Once those are used, wait for the next step.
 */
export async function freshTotpCode(totp: NonNullable<ConsoleUser['totp']>): Promise<string> {
  for (;;) {
    const now = Date.now();
    const current = totpStep(now);
    const earlyInStep = now - current * STEP_MS < STEP_MS - 5000;
    const candidates = [current, current + 1, ...(earlyInStep ? [current - 1] : [])];
    const step = candidates.find((s) => !totp.usedSteps.has(s));
    if (step !== undefined) {
      totp.usedSteps.add(step);
      return totpCode(totp.secret, step * STEP_MS + 1000);
    }
    await new Promise((resolve) => setTimeout(resolve, (current + 1) * STEP_MS - now + 200));
  }
}

/** The TOTP secret the enrolment page shows in text (what a person types into the app). */
function enrolmentSecret(html: string): string | undefined {
  return /class="pc-secret"[^>]*><code>([A-Z2-7 ]+)<\/code>/.exec(html)?.[1]?.replace(/ /g, '');
}

const hasForm = (html: string, actionPart: string) =>
  parseForms(html).some((f) => f.action.includes(actionPart));

/** What to do on this page of the sign-in; `undefined`: not a sign-in page. */
export async function signInStep(html: string, user: ConsoleUser): Promise<SignInStep | undefined> {
  if (html.includes('name="password"') && hasForm(html, '/login')) {
    return {
      kind: 'password',
      action: '/login',
      fields: { username: user.username, password: user.password },
      button: 'button.pc-button-primary:not([form])',
    };
  }
  const secret = enrolmentSecret(html);
  if (secret !== undefined && hasForm(html, '/mfa/enrol')) {
    user.totp = { secret, usedSteps: new Set() };
    return {
      kind: 'enrol',
      action: '/mfa/enrol',
      fields: { code: await freshTotpCode(user.totp) },
      button: 'form[action$="/mfa/enrol"] button.pc-button-primary',
    };
  }
  if (hasForm(html, '/mfa/totp')) {
    if (user.totp === undefined)
      throw new Error(`${user.username} has a factor the test never saw`);
    return {
      kind: 'totp',
      action: '/mfa/totp',
      fields: { code: await freshTotpCode(user.totp) },
      button: 'form[action$="/mfa/totp"] button.pc-button-primary',
    };
  }
  if (hasForm(html, '/mfa/continue')) {
    return {
      kind: 'recovery-codes',
      action: '/mfa/continue',
      fields: {},
      button: 'form[action$="/mfa/continue"] button',
    };
  }
  if (html.includes('name="decision"')) {
    return {
      kind: 'consent',
      action: '/consent',
      fields: { decision: 'approve' },
      button: 'button[name="decision"][value="approve"]',
    };
  }
  return undefined;
}

/**
 * Over HTTP: from `path` through every sign-in step to the console page it lands on. Returns the
 * steps taken, so a test can say which ones it expected (enrolment the first time, a code after).
 */
export async function signInToConsole(
  issuer: string,
  user: ConsoleUser,
  options: { path?: string; browser?: TestBrowser } = {},
): Promise<{ browser: TestBrowser; page: Page; steps: SignInStep['kind'][] }> {
  const browser = options.browser ?? new TestBrowser();
  const callback = `${issuer}/console/callback`;
  let page = await browser.follow(await browser.get(`${issuer}${options.path ?? '/console'}`));
  const steps: SignInStep['kind'][] = [];
  for (let i = 0; i < 8 && !page.location?.startsWith(callback); i++) {
    const step = await signInStep(page.text, user);
    if (step === undefined) break;
    steps.push(step.kind);
    page = await browser.follow(await browser.submit(page, step.action, step.fields), callback);
  }
  expect({ steps, location: page.location?.startsWith(callback) }).toEqual({
    steps,
    location: true,
  });
  return { browser, page: await browser.follow(page), steps };
}

/** In Chromium: the same steps, typed and clicked as a person would. */
export async function signInToConsoleInChromium(
  page: ChromiumPage,
  issuer: string,
  user: ConsoleUser,
  path = '/console',
): Promise<SignInStep['kind'][]> {
  await page.goto(`${issuer}${path}`);
  const steps: SignInStep['kind'][] = [];
  for (let i = 0; i < 8 && !new URL(page.url()).pathname.startsWith('/console'); i++) {
    const step = await signInStep(await page.content(), user);
    if (step === undefined) break;
    steps.push(step.kind);
    const form = `form[action*="${step.action}"]`;
    for (const [name, value] of Object.entries(step.fields)) {
      const input = page.locator(`${form} input[name="${name}"]:not([type="hidden"])`);
      if ((await input.count()) > 0) await input.fill(value);
    }
    const loaded = page.waitForEvent('load');
    await page.click(step.button);
    await loaded;
  }
  return steps;
}
