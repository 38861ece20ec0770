import type { MfaPromptDecide } from '../oidc/mfa-prompt.ts';
import type { MfaService } from './mfa-service.ts';
import { decideStepUp, MFA_POLICIES, type MfaPolicy } from './step-up-policy.ts';

/**
 * The answer of the engine's `mfa` prompt (src/oidc/mfa-prompt.ts): the step-up policy applied
 * to the user's factors as stored now. `undefined` when the session is enough.
 */
export function createMfaDecide(deps: {
  mfa: Pick<MfaService, 'factors'>;
  defaultPolicy: MfaPolicy;
}): MfaPromptDecide {
  return async (question) => {
    const clientPolicy = (MFA_POLICIES as readonly unknown[]).includes(question.clientPolicy)
      ? (question.clientPolicy as MfaPolicy)
      : undefined;
    const decision = decideStepUp({
      clientPolicy,
      defaultPolicy: deps.defaultPolicy,
      requestedAcrs: question.requestedAcrs,
      currentAcr: question.currentAcr,
      factors: await deps.mfa.factors(question.accountId),
    });
    return decision.kind === 'satisfied' ? undefined : { ...decision };
  };
}
