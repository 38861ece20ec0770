import { errors, type KoaContextWithOIDC } from 'oidc-provider';

/** The registration policy every initial access token carries (RFC 7591 §3 with our rules). */
export const CLIENT_RULES_POLICY = 'portcullis-client-rules';

/**
 * Registration policies run inside the provider but need the host's stores (use counts of
 * initial access tokens) and client rules, which the pure provider configuration does not hold:
 * the host puts the implementation in `ctx.state[REGISTRATION_POLICY_STATE]` for each request
 * (src/admin/registration-hooks.ts). Without it, registration fails closed.
 */
export const REGISTRATION_POLICY_STATE = 'portcullisRegistrationPolicy';

export type RegistrationPolicy = (
  ctx: KoaContextWithOIDC,
  properties: Record<string, unknown>,
) => Promise<void>;

/** The policy configured under CLIENT_RULES_POLICY: runs the host's implementation. */
export async function hostRegistrationPolicy(
  ctx: KoaContextWithOIDC,
  properties: Record<string, unknown>,
): Promise<void> {
  const policy = (ctx.state as Record<string, unknown> | undefined)?.[REGISTRATION_POLICY_STATE];
  if (typeof policy !== 'function') {
    throw new errors.InvalidClientMetadata('client registration is not available on this server');
  }
  await (policy as RegistrationPolicy)(ctx, properties);
}
