import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';

/** Selectors that do not depend on the page's language. */
export const SELECTORS = {
  username: '#username',
  password: '#password',
  signIn: 'button.pc-button-primary:not([form])',
  cancel: 'button[form="login-cancel"]',
  allow: 'button[name="decision"][value="approve"]',
  deny: 'button[name="decision"][value="deny"]',
  confirmLogout: 'button[name="logout"]',
  stayLoggedIn: 'button[form="op.logoutForm"]:not([name])',
  alert: '[role="alert"]',
  heading: 'h1',
  languageLinks: 'nav.pc-languages a',
} as const;

/**
 * Clicks and waits for the page that the click loads (through any redirects). Waiting for the
 * page's `load` event works whatever the new address is: after signing in the browser comes back
 * to the same `/interaction/<uid>` address, now showing consent.
 */
export async function clickAndLoad(page: Page, selector: string): Promise<void> {
  const loaded = page.waitForEvent('load');
  await page.click(selector);
  await loaded;
}

/** Fills the login form and submits it with the mouse. */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  await page.fill(SELECTORS.username, username);
  await page.fill(SELECTORS.password, password);
  await clickAndLoad(page, SELECTORS.signIn);
}

/** From the app's start URL to the app's callback: login, then allow on consent. */
export async function signInThroughApp(
  page: Page,
  startUrl: string,
  user: { username: string; password: string },
  callbackUrl: string,
): Promise<void> {
  await page.goto(startUrl);
  await submitLogin(page, user.username, user.password);
  await expect(page.locator(SELECTORS.allow).count()).resolves.toBe(1);
  await Promise.all([page.waitForURL(`${callbackUrl}**`), page.click(SELECTORS.allow)]);
}

/** The interaction uid from a login or consent page's address. */
export function interactionUid(page: Page): string {
  const match = /\/interaction\/([^/?#]+)/.exec(page.url());
  if (!match?.[1]) throw new Error(`not an interaction page: ${page.url()}`);
  return match[1];
}
