import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * The second-factor step as an interaction prompt of the engine's policy (oidc-provider's
 * documented `interactions.policy`): after the `login` prompt, before `consent`, a prompt `mfa`
 * whose check asks the host (src/mfa/step-up-policy.ts) whether this session's `acr` is enough
 * for this client and this request. Because the engine evaluates the policy on every
 * authorization request, a session that signed in with a password and is then asked for more by
 * another client, or by `acr_values`, is stepped up in place rather than signed in again.
 *
 * The `login` prompt's own `essential_acr(s)` checks are moved here: they would send a signed-in
 * user back to the password page, which cannot raise the `acr` (OIDC Core §5.5.1.1).
 */
export const MFA_PROMPT = 'mfa';
export const MFA_CHECK = 'second_factor';

/** What the host needs to decide, read from the engine's context. */
export interface MfaPromptQuestion {
  accountId: string;
  clientId: string;
  /** The client's `mfa` metadata as registered (validated by the client rules). */
  clientPolicy: unknown;
  currentAcr: string | undefined;
  requestedAcrs: string[];
}

/** `undefined`: nothing more is needed; else the details the interaction page acts on. */
export type MfaPromptDecide = (
  question: MfaPromptQuestion,
) => Promise<Record<string, unknown> | undefined>;

/** OIDC Core §3.1.2.1 `acr_values` (space-separated) or §5.5.1.1 `claims.id_token.acr`. */
function requestedAcrs(ctx: KoaContextWithOIDC): string[] {
  const { oidc } = ctx;
  const claim = (oidc.claims as { id_token?: { acr?: { value?: unknown; values?: unknown } } })
    .id_token?.acr;
  if (claim) {
    if (typeof claim.value === 'string') return [claim.value];
    if (Array.isArray(claim.values))
      return claim.values.filter((v): v is string => typeof v === 'string');
  }
  const values = oidc.params?.acr_values;
  return typeof values === 'string' ? values.split(' ').filter((v) => v !== '') : [];
}

export function mfaInteractionPolicy(decide: MfaPromptDecide): interactionPolicy.DefaultPolicy {
  const { Prompt, Check, base } = interactionPolicy;
  const policy = base();
  const login = policy.get('login');
  login?.checks.remove('essential_acrs');
  login?.checks.remove('essential_acr');

  // The check decides (it may read the store); `details` hands its answer to the interaction.
  const decisions = new WeakMap<object, Record<string, unknown>>();
  const prompt = new Prompt(
    { name: MFA_PROMPT, requestable: false },
    new Check(
      MFA_CHECK,
      'a stronger authentication of the End-User is required',
      async (ctx: KoaContextWithOIDC) => {
        const { oidc } = ctx;
        const accountId = oidc.session?.accountId;
        // No session yet: the login prompt comes first.
        if (!accountId || !oidc.client) return Check.NO_NEED_TO_PROMPT;
        const decision = await decide({
          accountId,
          clientId: oidc.client.clientId,
          clientPolicy: (oidc.client as unknown as Record<string, unknown>).mfa,
          currentAcr: typeof oidc.acr === 'string' ? oidc.acr : undefined,
          requestedAcrs: requestedAcrs(ctx),
        });
        if (!decision) return Check.NO_NEED_TO_PROMPT;
        decisions.set(ctx, decision);
        return Check.REQUEST_PROMPT;
      },
      (ctx: KoaContextWithOIDC) => decisions.get(ctx) ?? {},
    ),
  );
  const consentAt = policy.findIndex((p) => p.name === 'consent');
  policy.add(prompt, consentAt === -1 ? policy.length : consentAt);
  return policy;
}
