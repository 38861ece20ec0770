import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SecurityEvents } from '../security/security-events.ts';
import { StoreConflictError } from '../storage/ports.ts';
import type { CredentialStore, PasskeyRecord } from '../storage/credential-ports.ts';

/**
 * WebAuthn Level 3 ceremonies with @simplewebauthn/server (issue 14): registration of named
 * passkeys (several per account), authentication as a second factor and passwordless with
 * discoverable credentials. The relying party id is the issuer's host and the only accepted
 * origin is the issuer's (WebAuthn §5.1.3 step 9, §7.1 step 8): a look-alike site's assertion
 * does not verify, which is what makes a passkey phishing-resistant.
 */
export interface RelyingParty {
  /** `new URL(issuer).hostname` (WebAuthn §5.1.3: an RP ID is a registrable domain suffix of the origin). */
  id: string;
  name: string;
  /** The issuer's origin. */
  origin: string;
}

export function relyingPartyOf(issuer: string, name: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, name, origin: url.origin };
}

/** Why a ceremony was refused; every reason answers the same 400 to the browser. */
export class PasskeyRefused extends Error {
  readonly reason: string;
  constructor(reason: string) {
    super(`passkey refused: ${reason}`);
    this.name = 'PasskeyRefused';
    this.reason = reason;
  }
}

// The browser's answer, as @simplewebauthn/browser sends it: only its shape is checked here, its
// content by the library. Bounded: a WebAuthn response is a few kilobytes at most.
const b64url = z
  .string()
  .max(8192)
  .regex(/^[A-Za-z0-9_-]*$/);
const registrationSchema = z.object({
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: b64url,
    attestationObject: b64url,
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.looseObject({}),
});
const authenticationSchema = z.object({
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal('public-key'),
  response: z.looseObject({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.looseObject({}),
});

function parseJson<T>(schema: z.ZodType<T>, text: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PasskeyRefused('not JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PasskeyRefused('malformed response');
  return parsed.data;
}

/** The WebAuthn user handle: not the `sub` itself (WebAuthn §14.6.1: no personal data), a hash of it. */
function userHandle(accountId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(`portcullis-user\u0000${accountId}`).digest());
}

export function createPasskeyCeremonies(deps: {
  credentials: CredentialStore;
  rp: RelyingParty;
  events: SecurityEvents;
  now?: () => number;
}) {
  const { credentials, rp } = deps;
  const now = deps.now ?? Date.now;

  return {
    /** Options for `navigator.credentials.create()`: a discoverable credential with user verification. */
    async registrationOptions(account: {
      id: string;
      username: string;
    }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await credentials.listPasskeys(account.id);
      return generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userID: userHandle(account.id),
        userName: account.username,
        attestationType: 'none',
        // A second registration of the same authenticator is refused by the browser itself.
        excludeCredentials: existing.map((p) => ({
          id: p.id,
          transports: p.transports as AuthenticatorTransport[],
        })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
    },

    async register(input: {
      accountId: string;
      name: string;
      response: string;
      expectedChallenge: string;
    }): Promise<PasskeyRecord> {
      const response = parseJson(registrationSchema, input.response) as RegistrationResponseJSON;
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response,
          expectedChallenge: input.expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: true,
        });
      } catch (err) {
        throw new PasskeyRefused(err instanceof Error ? err.message.slice(0, 200) : 'invalid');
      }
      if (!verification.verified) throw new PasskeyRefused('not verified');
      const info = verification.registrationInfo;
      const record: PasskeyRecord = {
        id: info.credential.id,
        accountId: input.accountId,
        name: input.name,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: [...(response.response.transports ?? [])],
        attachment: response.authenticatorAttachment,
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        createdAt: now(),
        lastUsedAt: undefined,
      };
      try {
        await credentials.addPasskey(record);
      } catch (err) {
        if (err instanceof StoreConflictError) throw new PasskeyRefused('credential registered');
        throw err;
      }
      await deps.events.record({
        type: 'passkey.added',
        subject: input.accountId,
        details: { name: input.name },
      });
      return record;
    },

    /**
     * Options for `navigator.credentials.get()`. With an account: its passkeys (the second
     * factor). Without: none listed, so the browser offers its discoverable ones (passwordless,
     * and conditional UI on the username field).
     */
    async authenticationOptions(
      accountId?: string,
    ): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const allow = accountId ? await credentials.listPasskeys(accountId) : [];
      return generateAuthenticationOptions({
        rpID: rp.id,
        userVerification: accountId ? 'preferred' : 'required',
        allowCredentials: allow.map((p) => ({
          id: p.id,
          transports: p.transports as AuthenticatorTransport[],
        })),
      });
    },

    /**
     * Verifies an assertion. `accountId` given (second factor): the credential must be that
     * account's. Passwordless: user verification is required (the passkey is then both factors).
     * The signature counter must grow when the authenticator keeps one (WebAuthn §6.1.1: a
     * counter that does not is a sign of a cloned authenticator).
     */
    async authenticate(input: {
      response: string;
      expectedChallenge: string;
      accountId?: string | undefined;
    }): Promise<PasskeyRecord> {
      const response = parseJson(
        authenticationSchema,
        input.response,
      ) as AuthenticationResponseJSON;
      const passkey = await credentials.findPasskey(response.id);
      if (!passkey) throw new PasskeyRefused('unknown credential');
      if (input.accountId !== undefined && passkey.accountId !== input.accountId) {
        throw new PasskeyRefused('credential of another user');
      }
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge: input.expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: input.accountId === undefined,
          credential: {
            id: passkey.id,
            publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
            counter: passkey.counter,
            transports: passkey.transports as AuthenticatorTransport[],
          },
        });
      } catch (err) {
        throw new PasskeyRefused(err instanceof Error ? err.message.slice(0, 200) : 'invalid');
      }
      if (!verification.verified) throw new PasskeyRefused('not verified');
      const info = verification.authenticationInfo;
      await credentials.recordPasskeyUse(passkey.id, {
        counter: info.newCounter,
        backedUp: info.credentialBackedUp,
        usedAt: now(),
      });
      return { ...passkey, counter: info.newCounter, backedUp: info.credentialBackedUp };
    },
  };
}

export type PasskeyCeremonies = ReturnType<typeof createPasskeyCeremonies>;
