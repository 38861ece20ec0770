import { describe, expect, it } from '@jest/globals';
import { decideStepUp, type StepUpRequest } from '../../src/mfa/step-up-policy.ts';

const PWD = 'urn:portcullis:acr:pwd';
const MFA = 'urn:portcullis:acr:mfa';
const PHR = 'urn:portcullis:acr:phr';

const none = { totp: false, recoveryCodes: false, passkey: false };
const totp = { totp: true, recoveryCodes: true, passkey: false };
const passkey = { totp: false, recoveryCodes: false, passkey: true };

function decide(over: Partial<StepUpRequest>) {
  return decideStepUp({
    clientPolicy: undefined,
    defaultPolicy: 'optional',
    requestedAcrs: [],
    currentAcr: PWD,
    factors: none,
    ...over,
  });
}

describe('step-up policy', () => {
  it('lets a password do for none, and for optional when the user has no factor', () => {
    expect(decide({ clientPolicy: 'none', factors: totp })).toEqual({ kind: 'satisfied' });
    expect(decide({ clientPolicy: 'optional' })).toEqual({ kind: 'satisfied' });
  });

  it('asks users who have a factor for it under optional, with the methods they hold', () => {
    expect(decide({ factors: totp })).toEqual({
      kind: 'second_factor',
      target: MFA,
      methods: ['totp', 'recovery_code'],
    });
    expect(decide({ factors: { ...totp, passkey: true } })).toMatchObject({
      methods: ['totp', 'recovery_code', 'passkey'],
    });
  });

  it('sends a user without a factor to enrolment under required', () => {
    expect(decide({ clientPolicy: 'required' })).toEqual({ kind: 'enrol', target: MFA });
    expect(decide({ defaultPolicy: 'required' })).toEqual({ kind: 'enrol', target: MFA });
  });

  it('takes the client policy over the default', () => {
    expect(decide({ clientPolicy: 'none', defaultPolicy: 'required' })).toEqual({
      kind: 'satisfied',
    });
  });

  it('is satisfied by a session that already reached the level', () => {
    expect(decide({ clientPolicy: 'required', currentAcr: MFA, factors: totp })).toEqual({
      kind: 'satisfied',
    });
    expect(decide({ clientPolicy: 'required', currentAcr: PHR, factors: passkey })).toEqual({
      kind: 'satisfied',
    });
  });

  it('steps up for requested acr values, and never below the client policy', () => {
    expect(decide({ clientPolicy: 'none', requestedAcrs: [MFA], factors: totp })).toMatchObject({
      kind: 'second_factor',
      target: MFA,
    });
    // Asking for the password level does not lower a required policy.
    expect(decide({ clientPolicy: 'required', requestedAcrs: [PWD], factors: totp })).toMatchObject(
      { kind: 'second_factor', target: MFA },
    );
    // Of several acceptable values the weakest reachable one is the target.
    expect(decide({ requestedAcrs: [PHR, MFA], factors: totp })).toMatchObject({ target: MFA });
  });

  it('ignores acr values it does not know (voluntary, OIDC Core §3.1.2.1)', () => {
    expect(decide({ clientPolicy: 'none', requestedAcrs: ['urn:other:loa:3'] })).toEqual({
      kind: 'satisfied',
    });
  });

  it('offers only a passkey for phishing-resistant, and says unattainable without one', () => {
    expect(decide({ requestedAcrs: [PHR], factors: totp })).toEqual({ kind: 'unattainable' });
    expect(decide({ requestedAcrs: [PHR], factors: { ...totp, passkey: true } })).toEqual({
      kind: 'second_factor',
      target: PHR,
      methods: ['passkey'],
    });
  });

  it('treats a session without acr (signed in before acr values) as a password', () => {
    expect(
      decide({ currentAcr: undefined, clientPolicy: 'required', factors: totp }),
    ).toMatchObject({ kind: 'second_factor' });
  });
});
