import type { Middleware } from 'koa';

/**
 * An authorization parameter only this hook sets (any incoming value is removed first): it marks
 * a request whose `consent` prompt was added here, not asked for by the client.
 */
export const OFFLINE_CONSENT_PARAM = 'portcullis_offline_consent';

/**
 * OIDC Core §11: `offline_access` is ignored unless `prompt` contains `consent` "unless other
 * conditions for processing the request permitting offline access to the requested resources are
 * in place". oidc-provider implements only the first rule and drops the scope silently, so an RP
 * that asks for offline_access the usual way (authlib, go-oidc, AppAuth) never gets a refresh
 * token.
 *
 * Our condition: the user approved offline access on our consent page, which names it. So a
 * request with `offline_access` and no `consent` prompt gets one added here (marked with
 * OFFLINE_CONSENT_PARAM); the consent page then shows offline access the first time, and when
 * the user's grant already holds everything asked for, the interaction finishes without showing
 * the page again (src/interactions/interaction-router.ts). `prompt=none` is left alone: it
 * forbids any page, so offline access is dropped there as the engine does.
 */
export function offlineAccessConsent(options: { path: string }): Middleware {
  return async function offlineAccessConsent(ctx, next) {
    if (ctx.method !== 'GET' || ctx.path !== options.path) return next();
    const params = new URLSearchParams(ctx.querystring);
    const hadMarker = params.has(OFFLINE_CONSENT_PARAM);
    params.delete(OFFLINE_CONSENT_PARAM);
    const scopes = params.getAll('scope');
    const prompts = params.getAll('prompt');
    // Duplicated parameters are the engine's to refuse; leave them as they came.
    const wantsOffline = scopes.length === 1 && scopes[0]?.split(' ').includes('offline_access');
    const prompt =
      prompts.length === 1
        ? (prompts[0] ?? '').split(' ').filter(Boolean)
        : prompts.length === 0
          ? []
          : undefined;
    if (wantsOffline && prompt && !prompt.includes('consent') && !prompt.includes('none')) {
      params.set('prompt', [...prompt, 'consent'].join(' '));
      params.set(OFFLINE_CONSENT_PARAM, '1');
      ctx.querystring = params.toString();
    } else if (hadMarker) {
      ctx.querystring = params.toString();
    }
    return next();
  };
}
