import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Middleware } from 'koa';

/** Where the pages load @simplewebauthn/browser from (before public/webauthn.js). */
export const WEBAUTHN_BROWSER_PATH = '/assets/simplewebauthn-browser.js';

/**
 * Serves @simplewebauthn/browser's own browser bundle (its UMD build, global
 * `SimpleWebAuthnBrowser`) from this origin: nothing from a CDN, and the CSP stays
 * `script-src 'self'`. Read once at start from the installed package, so it is always the
 * version package-lock.json pins.
 */
export function serveWebauthnBrowser(): Middleware {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@simplewebauthn/browser');
  // main is <package>/script/index.js; the bundle sits in <package>/dist/bundle/.
  const bundle = readFileSync(
    path.join(path.dirname(main), '..', 'dist', 'bundle', 'index.umd.min.js'),
  );
  return async function serveWebauthnBrowserBundle(ctx, next) {
    if (ctx.path !== WEBAUTHN_BROWSER_PATH || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = bundle;
  };
}
