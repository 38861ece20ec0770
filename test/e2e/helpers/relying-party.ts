import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

/** What the relying party learnt from one callback. */
export interface RpCallback {
  /** Set when the code was redeemed: openid-client checked state, nonce, PKCE and the ID token. */
  tokens?: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  /** Set when the authorization server answered with an error (RFC 6749 §4.1.2.1). */
  error?: string;
}

export interface RelyingParty {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  /** Every callback so far, newest last. */
  readonly callbacks: RpCallback[];
  /** Discovers the issuer as this client; call once the client is registered. */
  connect(issuer: string, clientId: string, clientSecret: string): Promise<void>;
  /** Where a browser goes to start signing in; extra authorization parameters go along. */
  startUrl(extra?: Record<string, string>): string;
  /** Where a browser goes to sign out at the issuer (RP-initiated logout with this RP's last ID token). */
  logoutUrl(): string;
  stop(): Promise<void>;
}

interface Pending {
  verifier: string;
  nonce: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
  );
}

/**
 * A tiny relying party on a loopback port, as an app using `openid-client` would be written:
 * discovery, an authorization request with PKCE (S256), state and nonce, and a callback that
 * redeems the code with `authorizationCodeGrant`. The browser really lands back here, so a test
 * sees what the app sees.
 */
export async function startRelyingParty(): Promise<RelyingParty> {
  let config: oidc.Configuration | undefined;
  const pending = new Map<string, Pending>();
  const callbacks: RpCallback[] = [];
  let base = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    if (config === undefined) return page(res, 503, 'Not connected', '');

    if (url.pathname === '/start') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce });
      const target = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${base}/callback`,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...Object.fromEntries(url.searchParams),
      });
      res.writeHead(302, { location: target.href });
      res.end();
      return;
    }

    if (url.pathname === '/callback' && req.method === 'POST') {
      // response_mode=form_post (OAuth 2.0 Form Post Response Mode): the response parameters
      // arrive as a form; openid-client reads them from a POST Request.
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const form = new URLSearchParams(body);
      const state = form.get('state') ?? '';
      const expected = pending.get(state);
      pending.delete(state);
      if (form.get('error') !== null || expected === undefined) {
        callbacks.push({ error: form.get('error') ?? 'unknown_state' });
        return page(
          res,
          400,
          'App: sign-in failed',
          `<p id="rp-error">${escapeHtml(form.get('error') ?? 'unknown_state')}</p>`,
        );
      }
      const request = new Request(`${base}/callback`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const tokens = await oidc.authorizationCodeGrant(config, request, {
        pkceCodeVerifier: expected.verifier,
        expectedState: state,
        expectedNonce: expected.nonce,
      });
      callbacks.push({ tokens });
      return page(
        res,
        200,
        'App: signed in',
        `<p id="rp-sub">${escapeHtml(tokens.claims()?.sub ?? '')}</p>`,
      );
    }

    if (url.pathname === '/callback') {
      const state = url.searchParams.get('state') ?? '';
      const expected = pending.get(state);
      pending.delete(state);
      const error = url.searchParams.get('error');
      if (error !== null || expected === undefined) {
        callbacks.push({ error: error ?? 'unknown_state' });
        return page(
          res,
          400,
          'App: sign-in failed',
          `<p id="rp-error">${escapeHtml(error ?? 'unknown_state')}</p>`,
        );
      }
      const tokens = await oidc.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: expected.verifier,
        expectedState: state,
        expectedNonce: expected.nonce,
      });
      callbacks.push({ tokens });
      const sub = tokens.claims()?.sub ?? '';
      return page(res, 200, 'App: signed in', `<p id="rp-sub">${escapeHtml(sub)}</p>`);
    }

    if (url.pathname === '/logout') {
      const idToken = callbacks.findLast((c) => c.tokens?.id_token)?.tokens?.id_token ?? '';
      const target = oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: `${base}/signed-out`,
        state: 'rp-logout-state',
      });
      res.writeHead(302, { location: target.href });
      res.end();
      return;
    }

    if (url.pathname === '/signed-out') {
      return page(
        res,
        200,
        'App: signed out',
        `<p id="rp-state">${escapeHtml(url.searchParams.get('state') ?? '')}</p>`,
      );
    }
    return page(res, 404, 'Not found', '');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      callbacks.push({ error: `rp_exception: ${(err as Error).message}` });
      if (!res.headersSent)
        page(res, 500, 'App: error', `<p id="rp-error">${escapeHtml((err as Error).message)}</p>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    redirectUri: `${base}/callback`,
    postLogoutRedirectUri: `${base}/signed-out`,
    callbacks,
    async connect(issuer, clientId, clientSecret) {
      config = await oidc.discovery(
        new URL(issuer),
        clientId,
        undefined,
        oidc.ClientSecretBasic(clientSecret),
        {
          // The test issuer is http on loopback; a real RP talks to an https issuer.
          execute: [oidc.allowInsecureRequests],
        },
      );
    },
    startUrl(extra = {}) {
      const query = new URLSearchParams(extra).toString();
      return `${base}/start${query === '' ? '' : `?${query}`}`;
    },
    logoutUrl() {
      return `${base}/logout`;
    },
    stop() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
