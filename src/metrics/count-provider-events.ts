import type { Provider } from 'oidc-provider';
import type { Metrics } from './create-metrics.ts';

/** What the provider's model events carry that we count by (never the token value). */
interface TokenEventModel {
  gty?: unknown;
}

/**
 * The grant a token came from. oidc-provider records it in `gty`, and appends each grant that
 * extended a chain (`authorization_code refresh_token`): the last one issued this token.
 */
function lastGrant(token: TokenEventModel, fallback: string): string {
  if (typeof token.gty !== 'string' || token.gty === '') return fallback;
  return token.gty.split(' ').at(-1) ?? fallback;
}

/**
 * Counts issued tokens into `portcullis_tokens_issued_total` from the provider's events:
 * `<model>.saved` when a token is stored, `<model>.issued` for a token that is not stored (JWT
 * access tokens). ID tokens are never stored and have no event of their own: they are counted
 * from the token endpoint's answer (`grant.success`).
 */
export function countProviderEvents(
  provider: Provider,
  metrics: Pick<Metrics, 'tokensIssued'>,
): void {
  const count = (grantType: string, tokenType: string) =>
    metrics.tokensIssued.inc({ grant_type: grantType, token_type: tokenType });
  const accessToken = (token: TokenEventModel) =>
    count(lastGrant(token, 'unknown'), 'access_token');
  provider.on('access_token.saved', accessToken);
  provider.on('access_token.issued', accessToken);
  provider.on('client_credentials.saved', () => count('client_credentials', 'access_token'));
  provider.on('client_credentials.issued', () => count('client_credentials', 'access_token'));
  provider.on('refresh_token.saved', (token: TokenEventModel) =>
    count(lastGrant(token, 'unknown'), 'refresh_token'),
  );
  provider.on('authorization_code.saved', () => count('authorization_code', 'authorization_code'));
  provider.on(
    'grant.success',
    (ctx: { body?: unknown; oidc?: { params?: { grant_type?: unknown } } }) => {
      const body = ctx.body as { id_token?: unknown } | undefined;
      const grantType = ctx.oidc?.params?.grant_type;
      if (typeof body?.id_token === 'string')
        count(typeof grantType === 'string' ? grantType : 'unknown', 'id_token');
    },
  );
}
