import type { Context, Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';
import { parseRequestTarget } from './parse-request-target.ts';

/**
 * Turns an absolute-form target into origin form, so nothing downstream (Koa's `href`, which
 * the engine builds discovery URLs and the accepted client-assertion audiences from) can follow
 * the request line instead of the checked host.
 */
function useOriginForm(ctx: Context, originForm: string): void {
  ctx.url = originForm;
  ctx.originalUrl = originForm;
  ctx.request.originalUrl = originForm;
}

/**
 * oidc-provider builds discovery and endpoint URLs from the request's Host (or X-Forwarded-Host
 * behind a trusted proxy); only `issuer` is fixed. A request for another host could make the
 * discovery document point relying parties at an attacker (host-header injection), so anything
 * not addressed to the issuer's host, or an explicitly allowed one, is refused with 421.
 *
 * The same holds for an absolute-form target (`GET http://evil.example/... HTTP/1.1`): RFC 9112
 * §3.2.2 makes its authority, not `Host`, the one the request is for, and Koa's `href` takes the
 * request line as it is. A target for another authority is therefore misdirected too — 421, the
 * status RFC 9110 §15.5.20 gives a request for a target the server is not authoritative for, and
 * the one a foreign `Host` gets, so clients see one answer for one mistake. A malformed one is a
 * bad request (400; request-target-check.ts refuses it earlier still). A target naming our own authority is answered, after being rewritten to
 * origin form; its `Host` must be ours as well (stricter than §3.2.2, which would ignore it).
 */
export interface HostCheckOptions {
  issuer: string;
  allowedHosts: readonly string[];
}

/** The hosts (lower case, with port) requests may be addressed to. */
export function allowedHostSet(options: HostCheckOptions): ReadonlySet<string> {
  const issuer = new URL(options.issuer);
  return new Set([issuer.host.toLowerCase(), ...options.allowedHosts.map((h) => h.toLowerCase())]);
}

export function hostCheck(options: HostCheckOptions): Middleware {
  const allowed = allowedHostSet(options);
  return async function hostCheck(ctx, next) {
    const target = parseRequestTarget(ctx.req.url ?? '');
    if (target.form === 'invalid')
      throw new AppError('invalid_request', { target: 'malformed request target' });
    if (target.form === 'absolute') {
      if (!allowed.has(target.authority)) throw new AppError('misdirected_request');
      useOriginForm(ctx, target.originForm);
    }
    if (!allowed.has(ctx.host.toLowerCase())) throw new AppError('misdirected_request');
    await next();
  };
}
