import type { Middleware } from 'koa';

/** The largest form a POST to the authorization endpoint may carry: it becomes a URL. */
export const AUTHORIZATION_POST_LIMIT_BYTES = 8 * 1024;

/**
 * OIDC Core §3.1.2.1: the authorization endpoint MUST accept POST (form-serialized parameters)
 * as well as GET. oidc-provider can take the POST itself (`enableHttpPostMethods`), but a form
 * posted from the RP's site is a cross-site POST, and our `SameSite=Lax` cookies are not sent
 * with it: the user would look signed out (no SSO, no `prompt=none`) unless every cookie were
 * `SameSite=None`, which gives up Lax's CSRF protection for every other request.
 *
 * So a POST is answered with a 303 to the same endpoint with the parameters as a query: the
 * browser follows it as a top-level GET navigation, on which Lax cookies are sent, and the
 * request is then exactly the GET the engine handles. Nothing is lost: RFC 6749 §3.1 lets the
 * endpoint take its parameters from the query, and the 303 makes the browser drop the body.
 * Forms too large for a URL are refused: such a client should push them (RFC 9126, `/request`).
 */
export function authorizationPostRedirect(options: {
  path: string;
  limitBytes?: number;
}): Middleware {
  const limit = options.limitBytes ?? AUTHORIZATION_POST_LIMIT_BYTES;
  return async function authorizationPostRedirect(ctx, next) {
    if (ctx.method !== 'POST' || ctx.path !== options.path) return next();
    if (!ctx.is('application/x-www-form-urlencoded')) {
      ctx.throw(
        400,
        'the authorization endpoint takes a form (application/x-www-form-urlencoded) when posted to',
      );
    }
    const declared = Number(ctx.get('content-length') || '0');
    if (declared > limit)
      ctx.throw(
        413,
        `authorization request too large for a POST (over ${limit} bytes); push it to the PAR endpoint instead`,
      );
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > limit)
        ctx.throw(
          413,
          `authorization request too large for a POST (over ${limit} bytes); push it to the PAR endpoint instead`,
        );
      chunks.push(chunk as Buffer);
    }
    // Query and body together: a parameter given in both reaches the engine twice, and it
    // refuses duplicates itself (OIDC Core §3.1.2.1 wants each parameter once).
    const params = new URLSearchParams(ctx.querystring);
    for (const [name, value] of new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
      params.append(name, value);
    ctx.status = 303;
    ctx.set('Cache-Control', 'no-store');
    ctx.redirect(`${options.path}?${params.toString()}`);
  };
}
