import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Middleware } from 'koa';

export interface ServeAssetsOptions {
  /** Folder whose files are served (`public/`); read once, when the middleware is created. */
  dir: string;
  /** URL path the files appear under, e.g. `/assets` → `/assets/portcullis.css`. */
  prefix: string;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** Media types by extension; anything else is served as bytes the browser will not sniff. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8',
  // public/webauthn.js, the only script (issue 14; CSP script-src 'self').
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const CACHE_CONTROL = 'public, max-age=3600';

/**
 * Reads every regular file directly inside `dir` (no subfolders, no dotfiles) into memory.
 * Synchronous on purpose: it runs once while the app is composed, and a missing folder should stop
 * the start rather than the first page view.
 */
function loadAssets(dir: string): ReadonlyMap<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const body = readFileSync(path.join(dir, entry.name));
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
    const type =
      CONTENT_TYPES[path.extname(entry.name).toLowerCase()] ?? 'application/octet-stream';
    assets.set(entry.name, { body, type, etag: `"${hash}"` });
  }
  return assets;
}

/**
 * RFC 9110 §13.1.2: If-None-Match uses the weak comparison, so `W/"x"` matches `"x"`; `*` matches
 * any current representation.
 */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined || header === '') return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/**
 * Serves the stylesheet and images under `prefix` from memory.
 *
 * The set of files is fixed when the middleware is created and looked up by exact name, so no
 * request path ever reaches the file system: `/assets/../package.json` and `%2e%2e` tricks are just
 * names that are not in the list. Anything not served here (unknown names, other methods, other
 * paths) goes to `next()`, so the app's own 404 and 405 handling stays in one place.
 */
export function serveAssets(options: ServeAssetsOptions): Middleware {
  const assets = loadAssets(options.dir);
  const prefix = `${options.prefix.replace(/\/+$/, '')}/`;

  return async function serveAsset(ctx, next) {
    const asset =
      (ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path.startsWith(prefix)
        ? assets.get(ctx.path.slice(prefix.length))
        : undefined;
    if (asset === undefined) {
      await next();
      return;
    }
    ctx.set('ETag', asset.etag);
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (matchesIfNoneMatch(ctx.get('If-None-Match') || undefined, asset.etag)) {
      ctx.status = 304;
      return;
    }
    // Set as a header, not `ctx.type`, so Koa does not rewrite it (it would add or drop charsets).
    ctx.set('Content-Type', asset.type);
    // Koa answers HEAD with these headers and Content-Length, and no body.
    ctx.body = asset.body;
  };
}
