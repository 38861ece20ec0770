import { errors, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { AppError } from '../errors/app-error.ts';
import type { RegistrationPolicy } from '../oidc/registration-hook.ts';
import { ADMIN_SCOPE } from '../oidc/scopes.ts';
import type { CounterStore, OidcModelStore } from '../storage/ports.ts';
import { CLIENT_INPUT_FIELDS } from './client-input-schema.ts';
import { checkClientInput, describeDetails, type ClientRulesOptions } from './client-rules.ts';
import { generateClientSecret } from './generate-client-credentials.ts';
import { countInitialAccessTokenUse } from './initial-access-tokens.ts';

/**
 * The policy every initial access token carries (CLIENT_RULES_POLICY), run by oidc-provider on
 * RFC 7591 registration and, through the registration access token that inherits it, on RFC
 * 7592 updates. It applies the same rules as the admin API and the CLI (client-rules.ts) and
 * replaces the registration with the metadata those rules produce, so a dynamically registered
 * client is exactly one an admin could have registered.
 *
 * Differences, each deliberate:
 * - Metadata this server does not support is ignored, not refused: RFC 7591 §2 says the server
 *   MUST ignore metadata it does not understand; the response shows what was registered.
 * - `resource_server` (may introspect any token) and the `admin` scope are privileges an admin
 *   grants; a registrant cannot ask for them (kept on update if an admin already granted them).
 * - Each registration counts one use of the initial access token; a spent token is refused.
 */

/** Fields the engine sets (RFC 7591 §3.2.1); never taken from the registrant. */
const SERVER_SET = new Set([
  'client_id',
  'client_id_issued_at',
  'client_secret',
  'client_secret_expires_at',
]);
const SUPPORTED = new Set<string>(CLIENT_INPUT_FIELDS);

export interface RegistrationPolicyDeps {
  oidc: OidcModelStore;
  counters: CounterStore;
  rules: ClientRulesOptions;
  now?: () => number;
}

/** Our error in the provider's OAuth shape: `{error, error_description}` naming each field. */
function toOAuthError(err: unknown): unknown {
  if (!(err instanceof AppError) || !err.details) return err;
  // RFC 7591 §3.2.2: `invalid_redirect_uri` or `invalid_client_metadata`, with a description
  // naming each field (the engine's InvalidRedirectUri has a fixed description of its own).
  return new errors.CustomOIDCProviderError(err.code, describeDetails(err.details));
}

/** What the client being updated already holds (RFC 7592), or nothing on registration. */
function grantedBefore(ctx: KoaContextWithOIDC): { resourceServer: boolean; admin: boolean } {
  const current = ctx.oidc.client?.metadata() as Record<string, unknown> | undefined;
  return {
    resourceServer: current?.resource_server === true,
    admin: typeof current?.scope === 'string' && current.scope.split(' ').includes(ADMIN_SCOPE),
  };
}

export function createRegistrationPolicy(deps: RegistrationPolicyDeps): RegistrationPolicy {
  return async function clientRulesPolicy(ctx, properties) {
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(properties)) {
      if (!SERVER_SET.has(key) && SUPPORTED.has(key)) input[key] = value;
    }
    const before = grantedBefore(ctx);
    if (input.resource_server === true && !before.resourceServer) {
      throw new errors.InvalidClientMetadata(
        'resource_server: is granted by an administrator, not by dynamic registration',
      );
    }
    if (
      typeof input.scope === 'string' &&
      input.scope.split(' ').includes(ADMIN_SCOPE) &&
      !before.admin
    ) {
      throw new errors.InvalidClientMetadata(
        `scope: ${ADMIN_SCOPE} is granted by an administrator, not by dynamic registration`,
      );
    }

    let checked;
    try {
      checked = checkClientInput(input, deps.rules);
    } catch (err) {
      throw toOAuthError(err);
    }

    const secret =
      typeof properties.client_secret === 'string' ? properties.client_secret : undefined;
    const registered: Record<string, unknown> = {
      client_id: properties.client_id,
      client_id_issued_at: properties.client_id_issued_at,
      ...(checked.needsSecret
        ? {
            client_secret: secret ?? generateClientSecret(),
            client_secret_expires_at: properties.client_secret_expires_at ?? 0,
          }
        : {}),
      ...checked.metadata,
    };
    for (const key of Object.keys(properties)) delete properties[key];
    Object.assign(properties, registered);

    // The engine's own check before a use is counted, so a refused registration costs none
    // (the provider runs it again when it stores the client).
    await ctx.oidc.provider.Client.validate(properties as ClientMetadata);

    const token = ctx.oidc.entities.InitialAccessToken;
    if (token?.jti) {
      const use = await countInitialAccessTokenUse(deps, token.jti);
      if (!use.allowed) throw new errors.InvalidToken('initial access token has no uses left');
    }
  };
}
