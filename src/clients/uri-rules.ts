/**
 * URI rules for client metadata that oidc-provider does not enforce for the code flow, but
 * RFC 9700 (OAuth 2.0 Security BCP) and RFC 8252 (OAuth for native apps) require. Each function
 * answers the problem in words, or `undefined` when the URI is acceptable.
 */

export type ApplicationType = 'web' | 'native';

export interface RedirectUriPolicy {
  applicationType: ApplicationType;
  /**
   * Lets web clients register `http://localhost…`, `http://127.0.0.1…` or `http://[::1]…`
   * redirect URIs: normal for an app under development, never acceptable in production.
   */
  allowHttpLoopbackForWebClients: boolean;
}

// Schemes that run code or read local content in the browser when redirected to (the engine
// refuses the same set for native clients; we refuse them for every client).
const FORBIDDEN_SCHEMES = new Set([
  'javascript:',
  'data:',
  'vbscript:',
  'file:',
  'blob:',
  'about:',
]);

// RFC 8252 §7.3 recommends the IP literals; oidc-provider also treats `localhost` as loopback.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function commonProblem(uri: string): string | undefined {
  // WHATWG URL parsing silently drops tabs and newlines (`java\tscript:` becomes `javascript:`)
  // and trims spaces, so the raw string is checked before parsing.
  for (let i = 0; i < uri.length; i += 1) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || (c >= 0x7f && c <= 0x9f))
      return 'must not contain spaces or control characters';
  }
  return undefined;
}

/**
 * Rules for `redirect_uris` and `post_logout_redirect_uris`. RFC 9700 §2.1: redirect URIs are
 * compared exactly, so no wildcards; RFC 6749 §3.1.2: no fragment; RFC 9700 §2.6: no clear-text
 * http except loopback for native apps (RFC 8252 §7.3), since the code travels in the URI.
 */
export function redirectUriProblem(uri: string, policy: RedirectUriPolicy): string | undefined {
  const common = commonProblem(uri);
  if (common) return common;
  if (uri.includes('*'))
    return 'must not contain wildcards (*): redirect URIs are matched exactly (RFC 9700 §2.1)';
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  const url = URL.parse(uri);
  if (!url) return 'must be an absolute URI';
  if (FORBIDDEN_SCHEMES.has(url.protocol))
    return `must not use the ${url.protocol.slice(0, -1)}: scheme`;
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  const loopback = LOOPBACK_HOSTS.has(url.hostname);

  if (policy.applicationType === 'web') {
    if (url.protocol === 'https:') return undefined;
    if (url.protocol === 'http:' && loopback && policy.allowHttpLoopbackForWebClients)
      return undefined;
    return loopback && url.protocol === 'http:'
      ? 'must use https: http on loopback is allowed for native apps, and for web apps only outside production (RFC 9700 §2.6)'
      : 'must use https (RFC 9700 §2.6); plain http is allowed only on loopback addresses for native apps';
  }

  // Native apps (RFC 8252 §7): loopback http, claimed https, or a private-use scheme.
  if (url.protocol === 'http:') {
    return loopback
      ? undefined
      : 'http is allowed for native apps only on loopback addresses (RFC 8252 §7.3)';
  }
  if (url.protocol === 'https:') {
    return loopback
      ? 'claimed https redirect URIs of native apps must not use a loopback host (RFC 8252 §7.2)'
      : undefined;
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls, which always
  // contains a period; single-word schemes collide between apps and could be hijacked (§8.8).
  if (!url.protocol.slice(0, -1).includes('.')) {
    return 'a private-use URI scheme must be a reverse domain name with a period, e.g. com.example.app:/callback (RFC 8252 §7.1)';
  }
  return undefined;
}

/**
 * Rules for `logo_uri`, `client_uri`, `policy_uri` and `tos_uri`: they are shown or linked on the
 * consent page, so only https (RFC 9700 §2.6; the rule) and no embedded credentials.
 */
export function httpsUriProblem(uri: string): string | undefined {
  const common = commonProblem(uri);
  if (common) return common;
  const url = URL.parse(uri);
  if (!url) return 'must be an absolute URI';
  if (url.protocol !== 'https:') return 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  return undefined;
}

/**
 * Rules for `backchannel_logout_uri` (OIDC Back-Channel Logout 1.0 §2.2): an absolute URI that
 * MAY have a query and MUST NOT have a fragment. The server POSTs logout tokens to it, so it
 * must be https; §2.2 lets an OP allow http, which we do only for loopback outside production
 * (an RP under development), like web redirect URIs. No credentials: they would be sent along.
 */
export function backchannelLogoutUriProblem(
  uri: string,
  policy: { allowHttpLoopback: boolean },
): string | undefined {
  const common = commonProblem(uri);
  if (common) return common;
  if (uri.includes('#')) return 'must not contain a fragment (OIDC Back-Channel Logout 1.0 §2.2)';
  const url = URL.parse(uri);
  if (!url) return 'must be an absolute URI';
  if (FORBIDDEN_SCHEMES.has(url.protocol))
    return `must not use the ${url.protocol.slice(0, -1)}: scheme`;
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return policy.allowHttpLoopback
      ? undefined
      : 'must use https: http on loopback is allowed only outside production';
  }
  return 'must use https (OIDC Back-Channel Logout 1.0 §2.2); plain http is allowed only on loopback outside production';
}
