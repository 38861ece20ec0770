import { ACR_MFA, ACR_PASSWORD, ACR_VALUES_SUPPORTED, type AcrValue } from '../oidc/acr-values.ts';
import { MFA_POLICY_VALUES } from '../oidc/client-metadata.ts';

/**
 * Which authentication a sign-in needs, from the client's policy, the RP's request and the
 * user's factors: a pure function, so every rule is unit-tested (test/unit/mfa-step-up-policy.test.ts).
 */

/** Per client (`mfa` metadata) or by default (`mfa.defaultPolicy`). */
export const MFA_POLICIES = MFA_POLICY_VALUES;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey';

export interface StepUpRequest {
  /** The client's `mfa` metadata; `undefined` takes the default. */
  clientPolicy: MfaPolicy | undefined;
  defaultPolicy: MfaPolicy;
  /** The acr values the RP asked for: `acr_values` (OIDC Core §3.1.2.1) or `claims` (§5.5.1.1). */
  requestedAcrs: readonly string[];
  /** The `acr` of the session so far (`undefined`: signed in before acr values existed: a password). */
  currentAcr: string | undefined;
  factors: { totp: boolean; recoveryCodes: boolean; passkey: boolean };
}

export type StepUpDecision =
  | { kind: 'satisfied' }
  /** Ask for a second factor, by one of `methods`, to reach `target`. */
  | { kind: 'second_factor'; target: AcrValue; methods: SecondFactorMethod[] }
  /** The user must have a second factor and has none: enrol one (TOTP) now. */
  | { kind: 'enrol'; target: typeof ACR_MFA }
  /** Nothing this user holds reaches what was asked: the RP gets an error, never less. */
  | { kind: 'unattainable' };

export function acrRank(acr: string | undefined): number {
  if (acr === undefined) return 0;
  return (ACR_VALUES_SUPPORTED as readonly string[]).indexOf(acr);
}

export function decideStepUp(request: StepUpRequest): StepUpDecision {
  const policy = request.clientPolicy ?? request.defaultPolicy;
  const { factors } = request;
  const hasFactor = factors.totp || factors.passkey;
  // `optional`: users who have a factor use it; `required`: everyone, enrolling if need be.
  const policyRank =
    policy === 'required' || (policy === 'optional' && hasFactor) ? acrRank(ACR_MFA) : 0;
  const currentRank = Math.max(0, acrRank(request.currentAcr));

  // Values we do not know are voluntary and answered with what was done (OIDC Core §3.1.2.1);
  // known ones name the levels the RP accepts. What the client's policy demands comes first.
  const accepted = request.requestedAcrs
    .map(acrRank)
    .filter((rank) => rank >= 0)
    .filter((rank) => rank >= policyRank)
    .sort((a, b) => a - b);
  const targetRank = accepted[0] ?? policyRank;
  if (currentRank >= targetRank) return { kind: 'satisfied' };
  const target = ACR_VALUES_SUPPORTED[targetRank] ?? ACR_PASSWORD;
  if (target === ACR_PASSWORD) return { kind: 'satisfied' };

  if (target === ACR_MFA) {
    if (!hasFactor) return { kind: 'enrol', target: ACR_MFA };
    const methods: SecondFactorMethod[] = [];
    if (factors.totp) methods.push('totp');
    if (factors.totp && factors.recoveryCodes) methods.push('recovery_code');
    if (factors.passkey) methods.push('passkey');
    return { kind: 'second_factor', target, methods };
  }
  // Phishing-resistant: a WebAuthn credential only (TOTP codes can be relayed by a look-alike site).
  if (!factors.passkey) return { kind: 'unattainable' };
  return { kind: 'second_factor', target, methods: ['passkey'] };
}
