import type { ResourceServerSnapshot } from '../resources/resource-server-directory.ts';
import { RESOURCE_SERVER_METADATA } from './client-metadata.ts';

/** Custom client metadata marking a client allowed to call the introspection endpoint (an API). */
export const RESOURCE_SERVER_FLAG = RESOURCE_SERVER_METADATA;

/** What the policy needs of a client: its id and its (snake_case, custom) metadata. */
export interface IntrospectingClient {
  clientId: string;
}

/** What the policy needs of a token. */
export interface IntrospectedToken {
  /** oidc-provider model kind: `AccessToken`, `ClientCredentials`, `RefreshToken`, or `JWT`. */
  kind: string;
  /** The audience: the API identifier the token was issued for (RFC 8707), if any. */
  aud?: unknown;
}

/** Whether a provider `Client` carries `resource_server: true`. */
export function isResourceServerClient(client: IntrospectingClient): boolean {
  // oidc-provider keeps custom metadata on the client under its snake_case name.
  return (client as unknown as Record<string, unknown>)[RESOURCE_SERVER_FLAG] === true;
}

/** The single audience of a token: a string, or an array holding exactly one string. */
export function singleAudience(aud: unknown): string | undefined {
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && aud.length === 1 && typeof aud[0] === 'string') return aud[0];
  return undefined;
}

/**
 * Who may see a token's details at the introspection endpoint (RFC 7662 §2.1: the server decides;
 * everyone else gets `{active: false}`, §2.2, so callers cannot probe which tokens exist):
 *
 * - only clients registered as resource servers (`resource_server: true`), and only for access
 *   tokens: refresh tokens are for the authorization server alone (RFC 6749 §1.5);
 * - a token issued for an API (`aud` = its identifier, RFC 8707) only to the clients that API
 *   lists as its introspection clients, so one API never learns about another's tokens;
 * - a token issued for no API (the userinfo token of a sign-in, a client-credentials token asked
 *   without `resource`) only to resource-server clients linked to no API: the way APIs were
 *   registered before APIs were a concept. A client linked to an API sees that API's tokens only.
 */
export function mayIntrospect(
  snapshot: ResourceServerSnapshot,
  client: IntrospectingClient,
  token: IntrospectedToken,
): boolean {
  if (!isResourceServerClient(client)) return false;
  if (token.kind === 'RefreshToken') return false;
  const audiences = snapshot.audiencesOf(client.clientId);
  if (token.aud === undefined || token.aud === null) return audiences.size === 0;
  const audience = singleAudience(token.aud);
  return audience !== undefined && audiences.has(audience);
}
