/**
 * A minimal browser for integration tests: keeps cookies (honouring Path), follows redirects
 * one hop at a time so tests can see each status, and submits the HTML forms our pages render.
 * No JavaScript is needed because our pages use none (issue 7, item 6).
 */
export interface Page {
  status: number;
  url: string;
  headers: Headers;
  text: string;
  location: string | undefined;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface HtmlForm {
  action: string;
  method: string;
  fields: Record<string, string>;
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = m?.[2] ?? m?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

/** Every `<form>` on a page with its hidden/prefilled inputs. */
export function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  const formRe = /<form\b([^>]*)>([\s\S]*?)<\/form>/gi;
  for (let m = formRe.exec(html); m; m = formRe.exec(html)) {
    const fields: Record<string, string> = {};
    const inputRe = /<input\b[^>]*>/gi;
    for (let i = inputRe.exec(m[2] ?? ''); i; i = inputRe.exec(m[2] ?? '')) {
      const name = attr(i[0], 'name');
      if (name) fields[name] = attr(i[0], 'value') ?? '';
    }
    forms.push({
      action: attr(m[1] ?? '', 'action') ?? '',
      method: (attr(m[1] ?? '', 'method') ?? 'get').toLowerCase(),
      fields,
    });
  }
  return forms;
}

export class TestBrowser {
  readonly cookies: Cookie[] = [];

  cookieHeader(url: URL): string {
    return this.cookies
      .filter(
        (c) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
          c.path === '/',
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const pathAttr = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='));
      const path = pathAttr ? pathAttr.slice(5) : url.pathname.replace(/\/[^/]*$/, '') || '/';
      const expired =
        attrs.some((a) => /^expires=Thu, 01 Jan 1970/i.test(a.trim())) || value === '';
      const index = this.cookies.findIndex((c) => c.name === name && c.path === path);
      if (index >= 0) this.cookies.splice(index, 1);
      if (!expired) this.cookies.push({ name, value, path });
    }
  }

  async request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    const cookie = this.cookieHeader(target);
    if (cookie) headers.cookie = cookie;
    const res = await fetch(target, {
      method: init.method ?? 'GET',
      body: init.body,
      headers,
      redirect: 'manual',
    });
    this.store(target, res.headers);
    const location = res.headers.get('location') ?? undefined;
    return {
      status: res.status,
      url: target.href,
      headers: res.headers,
      text: await res.text(),
      location: location === undefined ? undefined : new URL(location, target).href,
    };
  }

  get(url: string): Promise<Page> {
    return this.request(url);
  }

  /** Posts a form of `page` (the first whose action matches `actionPart`), merging `values`. */
  submit(
    page: Page,
    actionPart: string,
    values: Record<string, string>,
    extraBody = '',
  ): Promise<Page> {
    const form = parseForms(page.text).find((f) => f.action.includes(actionPart));
    if (!form)
      throw new Error(
        `no form with action containing ${actionPart} on ${page.url}:\n${page.text.slice(0, 500)}`,
      );
    const body = new URLSearchParams({ ...form.fields, ...values }).toString() + extraBody;
    return this.request(new URL(form.action, page.url).href, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  /** Follows redirects until a page answers, or a redirect leaves for `stopAt` (the RP). */
  async follow(page: Page, stopAt?: string): Promise<Page> {
    let current = page;
    for (let hops = 0; hops < 10 && current.location; hops++) {
      if (stopAt && current.location.startsWith(stopAt)) return current;
      current = await this.get(current.location);
    }
    return current;
  }
}

/** A browser whose requests reach the server through a trusted proxy from client address `ip`. */
export class BrowserAt extends TestBrowser {
  readonly ip: string;
  constructor(ip: string) {
    super();
    this.ip = ip;
  }
  override request(
    url: string,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    return super.request(url, {
      ...init,
      headers: { 'x-forwarded-for': this.ip, ...init.headers },
    });
  }
}
