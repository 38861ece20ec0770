import {
  CLAIM_MAPPINGS_METADATA,
  VISIBLE_GROUPS_METADATA,
  VISIBLE_ROLES_METADATA,
} from '../oidc/client-metadata.ts';
import { errors, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { AppError } from '../errors/app-error.ts';
import type { RegistrationPolicy } from '../oidc/registration-hook.ts';
import { ADMIN_SCOPE, ADMIN_SCOPE_NAMES } from '../oidc/scopes.ts';
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
 * - Metadata this server does not understand at all is ignored, as RFC 7591 §2 requires; the
 *   response shows what was registered. Metadata it understands but does not offer (pairwise
 *   subjects, encrypted responses, request objects, front-channel logout …) is refused with
 *   `invalid_client_metadata` naming the field, never silently dropped: a client that asked for
 *   encrypted ID tokens must not get plain ones without knowing (RFC 7591 §3.2.2).
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

/**
 * Registered metadata names (RFC 7591, OIDC Registration, Front-/Back-Channel Logout, RFC 8705,
 * RFC 9101, RFC 9126, RFC 9449, JARM, CIBA) this server understands but does not offer, each
 * with the value that means "not used", which is accepted as the no-op it is.
 */
const UNSUPPORTED: Readonly<Record<string, { noop?: unknown; why: string }>> = {
  subject_type: { noop: 'public', why: 'only public subject identifiers are offered' },
  sector_identifier_uri: { why: 'pairwise subject identifiers are not offered' },
  response_modes: {
    why: 'is not supported; the response mode is chosen per request (query or form_post)',
  },
  initiate_login_uri: { why: 'third-party-initiated login is not offered' },
  default_acr_values: { why: 'is not supported; send acr_values with each request' },
  request_uris: { why: 'request objects by reference are not offered' },
  request_object_signing_alg: { why: 'request objects are not offered' },
  request_object_encryption_alg: { why: 'request objects are not offered' },
  request_object_encryption_enc: { why: 'request objects are not offered' },
  require_signed_request_object: { noop: false, why: 'request objects are not offered' },
  id_token_encrypted_response_alg: { why: 'encrypted ID tokens are not offered' },
  id_token_encrypted_response_enc: { why: 'encrypted ID tokens are not offered' },
  userinfo_encrypted_response_alg: { why: 'encrypted UserInfo responses are not offered' },
  userinfo_encrypted_response_enc: { why: 'encrypted UserInfo responses are not offered' },
  introspection_encrypted_response_alg: {
    why: 'encrypted introspection responses are not offered',
  },
  introspection_encrypted_response_enc: {
    why: 'encrypted introspection responses are not offered',
  },
  authorization_signed_response_alg: {
    why: 'JWT-secured authorization responses (JARM) are not offered',
  },
  authorization_encrypted_response_alg: {
    why: 'JWT-secured authorization responses (JARM) are not offered',
  },
  authorization_encrypted_response_enc: {
    why: 'JWT-secured authorization responses (JARM) are not offered',
  },
  frontchannel_logout_uri: {
    why: 'front-channel logout is not offered; use backchannel_logout_uri',
  },
  frontchannel_logout_session_required: { noop: false, why: 'front-channel logout is not offered' },
  tls_client_auth_subject_dn: { why: 'mutual-TLS client authentication is not offered' },
  tls_client_auth_san_dns: { why: 'mutual-TLS client authentication is not offered' },
  tls_client_auth_san_uri: { why: 'mutual-TLS client authentication is not offered' },
  tls_client_auth_san_ip: { why: 'mutual-TLS client authentication is not offered' },
  tls_client_auth_san_email: { why: 'mutual-TLS client authentication is not offered' },
  tls_client_certificate_bound_access_tokens: {
    noop: false,
    why: 'certificate-bound tokens are not offered; use DPoP',
  },
  use_mtls_endpoint_aliases: { noop: false, why: 'mutual-TLS endpoint aliases are not offered' },
  require_pushed_authorization_requests: { noop: false, why: 'is not supported per client' },
  dpop_bound_access_tokens: {
    noop: false,
    why: 'is not supported per client; DPoP is used whenever the client sends a proof',
  },
  backchannel_token_delivery_mode: { why: 'CIBA is not offered' },
  backchannel_client_notification_endpoint: { why: 'CIBA is not offered' },
  backchannel_authentication_request_signing_alg: { why: 'CIBA is not offered' },
  backchannel_user_code_parameter: { noop: false, why: 'CIBA is not offered' },
  software_statement: { why: 'software statements are not accepted (RFC 7591 §3.1.1)' },
};

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
    admin:
      typeof current?.scope === 'string' &&
      current.scope.split(' ').some((scope) => ADMIN_SCOPE_NAMES.has(scope)),
  };
}

/** Client metadata only an admin sets (issue 16); RFC 7592 updates may repeat it unchanged. */
const ADMIN_DECIDED_FIELDS = [
  VISIBLE_ROLES_METADATA,
  VISIBLE_GROUPS_METADATA,
  CLAIM_MAPPINGS_METADATA,
] as const;

export function createRegistrationPolicy(deps: RegistrationPolicyDeps): RegistrationPolicy {
  return async function clientRulesPolicy(ctx, properties) {
    const input: Record<string, unknown> = {};
    const refused: string[] = [];
    for (const [key, value] of Object.entries(properties)) {
      if (SERVER_SET.has(key)) continue;
      if (SUPPORTED.has(key)) input[key] = value;
      const unsupported = Object.hasOwn(UNSUPPORTED, key) ? UNSUPPORTED[key] : undefined;
      if (unsupported && !(Object.hasOwn(unsupported, 'noop') && value === unsupported.noop))
        refused.push(`${key}: ${unsupported.why}`);
    }
    if (refused.length > 0) throw new errors.InvalidClientMetadata(refused.join('; '));
    const before = grantedBefore(ctx);
    if (input.resource_server === true && !before.resourceServer) {
      throw new errors.InvalidClientMetadata(
        'resource_server: is granted by an administrator, not by dynamic registration',
      );
    }
    // Issue 16: what a client may learn of users' roles and attributes is an admin's decision;
    // dynamic registration may keep it as it is, never set or widen it.
    const current = ctx.oidc.client?.metadata() as Record<string, unknown> | undefined;
    for (const key of ADMIN_DECIDED_FIELDS) {
      if (input[key] !== undefined && JSON.stringify(input[key]) !== JSON.stringify(current?.[key]))
        throw new errors.InvalidClientMetadata(
          `${key}: is granted by an administrator, not by dynamic registration`,
        );
    }
    if (
      typeof input.scope === 'string' &&
      input.scope.split(' ').some((scope) => ADMIN_SCOPE_NAMES.has(scope)) &&
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
