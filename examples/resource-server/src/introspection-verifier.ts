import { createIntrospectionCache } from './introspection-cache.ts';
import { audienceIncludes, rolesOf, scopesOf, type TokenVerifier } from './verified-token.ts';

/** The fields of an RFC 7662 §2.2 answer this API reads. */
interface IntrospectionAnswer {
  active?: unknown;
  sub?: unknown;
  client_id?: unknown;
  scope?: unknown;
  roles?: unknown;
  aud?: unknown;
  exp?: unknown;
  cnf?: { jkt?: unknown };
}

/** Thrown when Portcullis cannot be asked (the API answers 503, it does not guess). */
export class IntrospectionUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IntrospectionUnavailableError';
  }
}

/** RFC 6749 §2.3.1: the client id and secret are form-urlencoded before they are joined. */
function basicAuthorization(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

/**
 * Way 1: ask Portcullis (RFC 7662). Works for opaque and JWT access tokens alike and gives the
 * token's *live* status: a revoked grant, a signed-out user or a deleted client turn the token
 * inactive at once. Costs a round trip, so answers are cached briefly (introspection-cache.ts).
 */
export function createIntrospectionVerifier(options: {
  introspectionEndpoint: string;
  clientId: string;
  clientSecret: string;
  identifier: string;
  cacheSeconds: number;
  cacheSize: number;
  fetch?: typeof fetch;
  now?: () => number;
}): TokenVerifier {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const authorization = basicAuthorization(options.clientId, options.clientSecret);
  const cache = createIntrospectionCache<IntrospectionAnswer>({
    ttlSeconds: options.cacheSeconds,
    maxEntries: options.cacheSize,
    now,
  });

  async function ask(token: string): Promise<IntrospectionAnswer> {
    let response: Response;
    try {
      response = await doFetch(options.introspectionEndpoint, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
        signal: AbortSignal.timeout(5000),
      });
    } catch (cause) {
      throw new IntrospectionUnavailableError('the introspection endpoint could not be reached', {
        cause,
      });
    }
    if (!response.ok)
      throw new IntrospectionUnavailableError(
        `the introspection endpoint answered ${response.status}`,
      );
    return (await response.json()) as IntrospectionAnswer;
  }

  return async function introspect(token) {
    let answer = cache.get(token);
    if (answer === undefined) {
      answer = await ask(token);
      cache.set(token, answer, typeof answer.exp === 'number' ? answer.exp * 1000 : undefined);
    }
    if (
      answer.active !== true ||
      typeof answer.client_id !== 'string' ||
      typeof answer.exp !== 'number'
    )
      return undefined;
    // Portcullis shows an API only its own tokens; checking the audience again costs nothing.
    if (!audienceIncludes(answer.aud, options.identifier)) return undefined;
    if (answer.exp * 1000 <= now()) return undefined;
    return {
      subject: typeof answer.sub === 'string' ? answer.sub : undefined,
      clientId: answer.client_id,
      scopes: scopesOf(answer.scope),
      roles: rolesOf(answer.roles),
      expiresAt: answer.exp,
      jkt: typeof answer.cnf?.jkt === 'string' ? answer.cnf.jkt : undefined,
      via: 'introspection',
    };
  };
}
