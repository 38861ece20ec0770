import type { Context } from 'koa';

/**
 * The provider's routes that a person's browser navigates to (oidc-provider route names). Only
 * these may answer an error as an HTML page. Every other endpoint is called by client code and
 * answers its JSON error shape whatever `Accept` says (RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 7662
 * §2.3, RFC 7591 §3.2.2, RFC 6750 §3): Java's HTTP client, for one, prefers `text/html`, and an
 * HTML page there hides the error code from the client.
 */
export const BROWSER_ROUTES: ReadonlySet<string> = new Set([
  'authorization',
  'resume',
  'end_session',
  'end_session_confirm',
  'end_session_success',
  'code_verification',
  'device_resume',
]);

/** Paths of the provider's browser endpoints, for host code that runs before the provider routed. */
const BROWSER_PATH_PREFIXES = ['/auth', '/session/end', '/device'];

/** Whether an error on this request may be answered as an HTML page. */
export function isBrowserRequest(ctx: Context): boolean {
  const route = (ctx as { oidc?: { route?: unknown } }).oidc?.route;
  if (typeof route === 'string') return BROWSER_ROUTES.has(route);
  return !isMachineEndpointPath(ctx.path);
}

/** Paths of endpoints called by client code, never by a person's browser (JSON errors only). */
const MACHINE_PATHS = [
  '/token',
  '/reg',
  '/me',
  '/request',
  '/jwks',
  '/.well-known/',
  '/backchannel',
  '/challenge',
];

export function isMachineEndpointPath(path: string): boolean {
  if (BROWSER_PATH_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return false;
  return MACHINE_PATHS.some((p) =>
    p.endsWith('/') ? path.startsWith(p) : path === p || path.startsWith(`${p}/`),
  );
}
