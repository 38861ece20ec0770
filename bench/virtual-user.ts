import { createHash, randomBytes } from 'node:crypto';
import { request, type Agent, type IncomingHttpHeaders } from 'node:http';
import { basicAuth, type BenchClient, type BenchUser } from './bench-fixtures.ts';

/**
 * A user signing in through a browser, without the browser: the authorization-code flow with
 * PKCE over HTTP (authorize → login form → consent form → token), one cookie jar per user, the
 * forms' hidden fields (CSRF tokens) submitted back as a browser would. Works against both
 * servers: it follows redirects and fills whatever login and consent forms it is shown.
 */

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** No answer within this long is a failure, so a stalled server cannot hang the benchmark. */
const REQUEST_TIMEOUT_MS = 30_000;

export function httpRequest(
  agent: Agent,
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: init.method ?? 'GET',
        headers: {
          ...init.headers,
          ...(init.body === undefined
            ? {}
            : { 'content-length': String(Buffer.byteLength(init.body)) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    req.end(init.body);
  });
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** Cookies by name and path (RFC 6265 §5.1.4 path matching); expired ones are dropped. */
export class CookieJar {
  private readonly cookies: Cookie[] = [];

  store(url: URL, setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const pathAttribute = attributes
        .map((a) => a.trim())
        .find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttribute
        ? pathAttribute.slice(5)
        : url.pathname.replace(/\/[^/]*$/, '') || '/';
      const expired =
        value === '' ||
        attributes.some((a) => /^expires=.*1970/i.test(a.trim()) || /^max-age=0$/i.test(a.trim()));
      const index = this.cookies.findIndex((c) => c.name === name && c.path === path);
      if (index >= 0) this.cookies.splice(index, 1);
      if (!expired) this.cookies.push({ name, value, path });
    }
  }

  header(url: URL): string {
    const matches = (path: string) =>
      path === '/' ||
      url.pathname === path ||
      url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`);
    return this.cookies
      .filter((c) => matches(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = match?.[2] ?? match?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

/** The first form whose action contains `actionPart`, with its inputs' current values. */
export function findForm(
  html: string,
  actionPart: string,
): { action: string; fields: Record<string, string> } | undefined {
  const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  for (let m = formRe.exec(html); m; m = formRe.exec(html)) {
    const action = attribute(m[1] ?? '', 'action') ?? '';
    if (!action.includes(actionPart)) continue;
    const fields: Record<string, string> = {};
    const inputRe = /<input\b[^>]*>/gi;
    for (let i = inputRe.exec(m[2] ?? ''); i; i = inputRe.exec(m[2] ?? '')) {
      const name = attribute(i[0], 'name');
      if (name) fields[name] = attribute(i[0], 'value') ?? '';
    }
    return { action, fields };
  }
  return undefined;
}

/** RFC 7636 §4.1–4.2: a random verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

export class SignInError extends Error {
  constructor(step: string, answer: HttpAnswer) {
    super(`${step}: HTTP ${answer.status}`);
    this.name = 'SignInError';
  }
}

export interface SignInTarget {
  issuer: string;
  agent: Agent;
  client: BenchClient;
  redirectUri: string;
  scope: string;
}

const MAX_HOPS = 10;

/** One complete sign-in of `user` with a fresh cookie jar; resolves to the token response. */
export async function signIn(target: SignInTarget, user: BenchUser): Promise<TokenSet> {
  const jar = new CookieJar();
  const issuer = new URL(target.issuer);
  const go = async (
    url: URL,
    init: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ) => {
    const cookie = jar.header(url);
    const answer = await httpRequest(target.agent, url, {
      ...init,
      headers: { accept: 'text/html', ...init.headers, ...(cookie ? { cookie } : {}) },
    });
    const setCookie = answer.headers['set-cookie'];
    jar.store(url, setCookie);
    return answer;
  };
  /** Follows redirects until a page answers or the server sends the browser back to the app. */
  const follow = async (
    step: string,
    answer: HttpAnswer,
    from: URL,
  ): Promise<{ answer: HttpAnswer; url: URL }> => {
    let current = answer;
    let url = from;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const location = current.headers.location;
      if (current.status < 300 || current.status >= 400 || location === undefined) break;
      const next = new URL(location, url);
      if (next.href.startsWith(target.redirectUri)) return { answer: current, url: next };
      url = next;
      current = await go(url);
    }
    if (current.status !== 200) throw new SignInError(step, current);
    return { answer: current, url };
  };
  const submit = async (
    step: string,
    page: { answer: HttpAnswer; url: URL },
    actionPart: string,
    values: Record<string, string>,
  ) => {
    const form = findForm(page.answer.body, actionPart);
    if (!form) throw new SignInError(`${step} (no form)`, page.answer);
    const url = new URL(form.action, page.url);
    const answer = await go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, ...values }).toString(),
    });
    if (answer.status !== 303 && answer.status !== 302) throw new SignInError(step, answer);
    return follow(`${step} redirect`, answer, url);
  };

  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const authorize = new URL('/auth', issuer);
  authorize.search = new URLSearchParams({
    client_id: target.client.clientId,
    redirect_uri: target.redirectUri,
    response_type: 'code',
    scope: target.scope,
    // offline_access needs prompt=consent (OIDC Core §11); every sign-in shows both pages.
    prompt: 'consent',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(16).toString('base64url'),
  }).toString();

  let page = await follow('authorize', await go(authorize), authorize);
  if (findForm(page.answer.body, '/login')) {
    page = await submit('login', page, '/login', {
      username: user.username,
      password: user.password,
    });
  }
  if (findForm(page.answer.body, '/consent')) {
    page = await submit('consent', page, '/consent', { decision: 'approve' });
  }
  const code = page.url.href.startsWith(target.redirectUri)
    ? page.url.searchParams.get('code')
    : null;
  if (code === null || page.url.searchParams.get('state') !== state)
    throw new SignInError('callback', page.answer);

  const token = await httpRequest(target.agent, new URL('/token', issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(target.client),
      accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: target.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (token.status !== 200) throw new SignInError('token', token);
  return JSON.parse(token.body) as TokenSet;
}
