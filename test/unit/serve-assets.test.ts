import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import { serveAssets } from '../../src/ui/serve-assets.ts';

const PUBLIC_DIR = path.resolve(import.meta.dirname, '../../public');
const FELL_THROUGH = 'fell through to the app';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * node:http rather than fetch: fetch normalises `/assets/../x` to `/x` before sending, and the
 * point is to see what the middleware does with the raw path.
 */
function request(
  port: number,
  target: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: target,
        method: options.method ?? 'GET',
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function startApp(dir: string, prefix: string): Promise<http.Server> {
  const app = new Koa();
  app.use(serveAssets({ dir, prefix }));
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = FELL_THROUGH;
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}

function close(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}

describe('serveAssets', () => {
  let dir: string;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'portcullis-assets-'));
    writeFileSync(path.join(dir, 'site.css'), 'body { color: red; }\n');
    writeFileSync(path.join(dir, 'mark.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(path.join(dir, 'notes.unknownext'), 'bytes');
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    mkdirSync(path.join(dir, 'nested'));
    writeFileSync(path.join(dir, 'nested', 'inner.css'), 'p {}');
    server = await startApp(dir, '/assets/');
    port = portOf(server);
    // Created after start: the whitelist is what existed at startup.
    writeFileSync(path.join(dir, 'late.css'), 'p {}');
  });

  afterAll(async () => {
    await close(server);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a stylesheet with its type, an ETag and a one-hour public cache', async () => {
    const reply = await request(port, '/assets/site.css');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(reply.headers['cache-control']).toBe('public, max-age=3600');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(reply.body.toString()).toBe('body { color: red; }\n');
  });

  it('serves an SVG as image/svg+xml', async () => {
    const reply = await request(port, '/assets/mark.svg');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('image/svg+xml');
  });

  it('serves an unknown extension as opaque bytes', async () => {
    const reply = await request(port, '/assets/notes.unknownext');
    expect(reply.headers['content-type']).toBe('application/octet-stream');
  });

  it('answers 304 with no body when If-None-Match carries the ETag', async () => {
    const { headers } = await request(port, '/assets/site.css');
    const etag = headers.etag ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const reply = await request(port, '/assets/site.css', {
        headers: { 'If-None-Match': ifNoneMatch },
      });
      expect(reply.status).toBe(304);
      expect(reply.headers.etag).toBe(etag);
      expect(reply.body).toHaveLength(0);
    }
  });

  it('answers 200 when If-None-Match names another version', async () => {
    const reply = await request(port, '/assets/site.css', {
      headers: { 'If-None-Match': '"stale"' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toContain('color: red');
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await request(port, '/assets/site.css', { method: 'HEAD' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(reply.headers['content-length']).toBe(String('body { color: red; }\n'.length));
    expect(reply.body).toHaveLength(0);
  });

  it.each([
    '/assets/../package.json',
    '/assets/%2e%2e/package.json',
    '/assets/..%2fpackage.json',
    '/assets/nested/inner.css',
    '/assets/nested',
    '/assets/.env',
    '/assets/late.css',
    '/assets/missing.css',
    '/assets/',
    '/assets',
    '/assetssite.css',
    '/site.css',
    '/assets/SITE.CSS',
  ])('passes %s on to the next middleware', async (target) => {
    const reply = await request(port, target);
    expect(reply.status).toBe(404);
    expect(reply.body.toString()).toBe(FELL_THROUGH);
  });

  it('passes methods other than GET and HEAD on to the next middleware', async () => {
    const reply = await request(port, '/assets/site.css', { method: 'POST' });
    expect(reply.body.toString()).toBe(FELL_THROUGH);
  });
});

describe('serveAssets with the shipped public folder', () => {
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    server = await startApp(PUBLIC_DIR, '/assets');
    port = portOf(server);
  });

  afterAll(async () => {
    await close(server);
  });

  it('serves portcullis.css and logo.svg as the layout links them', async () => {
    const css = await request(port, '/assets/portcullis.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.body.equals(readFileSync(path.join(PUBLIC_DIR, 'portcullis.css')))).toBe(true);
    const logo = await request(port, '/assets/logo.svg');
    expect(logo.status).toBe(200);
    expect(logo.headers['content-type']).toBe('image/svg+xml');
  });

  it('ships a stylesheet that loads nothing from elsewhere (RFC 9700 §4.2.4)', () => {
    const css = readFileSync(path.join(PUBLIC_DIR, 'portcullis.css'), 'utf8');
    expect(css).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//i);
    expect(css).toMatch(/prefers-color-scheme:\s*dark/);
    expect(css).toMatch(/:focus-visible/);
  });
});
