import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';

/**
 * oidc-provider builds discovery and endpoint URLs from the request's Host (or X-Forwarded-Host
 * behind a trusted proxy); only `issuer` is fixed. A request for another host could make the
 * discovery document point relying parties at an attacker (host-header injection), so anything
 * not addressed to the issuer's host, or an explicitly allowed one, is refused with 421.
 */
export function hostCheck(options: { issuer: string; allowedHosts: readonly string[] }): Middleware {
  const issuer = new URL(options.issuer);
  const allowed = new Set([issuer.host.toLowerCase(), ...options.allowedHosts.map((h) => h.toLowerCase())]);
  return async function hostCheck(ctx, next) {
    if (!allowed.has(ctx.host.toLowerCase())) throw new AppError('misdirected_request');
    await next();
  };
}
