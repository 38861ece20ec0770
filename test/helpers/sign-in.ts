import * as oidc from 'openid-client';
import type { Page, TestBrowser } from './test-browser.ts';

export interface Authorization {
  state: string;
  nonce: string;
  verifier: string;
  /** The page the browser lands on after following /auth (login, consent or the RP callback). */
  page: Page;
}

/** Starts an authorization request the way an RP does (code + PKCE S256 + state + nonce). */
export async function startAuthorization(
  browser: TestBrowser,
  rp: oidc.Configuration,
  redirectUri: string,
  extra: Record<string, string> = {},
): Promise<Authorization> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    prompt: 'consent',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  const page = await browser.follow(await browser.get(url.href), redirectUri);
  return { state, nonce, verifier, page };
}

/** Logs in on the login page and approves consent; returns the redirect back to the RP. */
export async function completeSignIn(
  browser: TestBrowser,
  auth: Authorization,
  user: { username: string; password: string },
  redirectUri: string,
): Promise<string> {
  let page = auth.page;
  if (page.text.includes('name="password"')) {
    const afterLogin = await browser.submit(page, '/login', {
      username: user.username,
      password: user.password,
    });
    if (afterLogin.status !== 303) throw new Error(`login answered ${afterLogin.status}`);
    page = await browser.follow(afterLogin, redirectUri);
  }
  if (page.text.includes('name="decision"')) {
    const afterConsent = await browser.submit(page, '/consent', { decision: 'approve' });
    if (afterConsent.status !== 303) throw new Error(`consent answered ${afterConsent.status}`);
    page = await browser.follow(afterConsent, redirectUri);
  }
  if (!page.location?.startsWith(redirectUri)) {
    throw new Error(
      `expected a redirect to the RP, got ${page.status} ${page.url}\n${page.text.slice(0, 300)}`,
    );
  }
  return page.location;
}

/** Full sign-in and code redemption with openid-client's checks (state, nonce, PKCE, ID token). */
export async function signInAndRedeem(
  browser: TestBrowser,
  rp: oidc.Configuration,
  user: { username: string; password: string },
  redirectUri: string,
  extra: Record<string, string> = {},
) {
  const auth = await startAuthorization(browser, rp, redirectUri, extra);
  const callback = await completeSignIn(browser, auth, user, redirectUri);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(callback), {
    pkceCodeVerifier: auth.verifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
  });
  return { auth, callback, tokens };
}
