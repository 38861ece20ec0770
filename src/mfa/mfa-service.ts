import type { ClientSecretCipher } from '../clients/client-secret-cipher.ts';
import type { SecurityEvents } from '../security/security-events.ts';
import type { CredentialStore } from '../storage/credential-ports.ts';
import { hashRecoveryCode, newRecoveryCodes, normaliseRecoveryCode } from './recovery-codes.ts';
import { matchTotp, newTotpSecret, totpUri } from './totp.ts';
import { totpQrSvg } from './totp-qr.ts';
import { openTotpSecret, sealTotpSecret } from './totp-secret-seal.ts';
import {
  passkeyView,
  summarizeFactors,
  type FactorSummary,
  type PasskeyView,
} from './factor-summary.ts';

export type { FactorSummary, PasskeyView };

export interface TotpEnrolment {
  /** Base32, shown as text for typing into an app. */
  secret: string;
  uri: string;
  /** The QR code of `uri`, server-rendered. */
  qrSvg: string;
}

export type TotpCheck = 'ok' | 'wrong' | 'replayed';

/**
 * Second factors (issue 14): TOTP enrolment and checks, recovery codes, and the summary and
 * removal functions the admin API, the CLI and the account pages share. Brute-force limits are
 * the caller's (src/mfa/second-factor-guard.ts); this service answers only right or wrong.
 */
export function createMfaService(deps: {
  credentials: CredentialStore;
  cipher: ClientSecretCipher;
  events: SecurityEvents;
  /** The issuer name authenticator apps show (`ui.productName`). */
  issuerName: string;
  now?: () => number;
}) {
  const { credentials, cipher, events } = deps;
  const now = deps.now ?? Date.now;

  async function enrolmentOf(secret: string, label: string): Promise<TotpEnrolment> {
    const uri = totpUri(secret, deps.issuerName, label);
    return { secret, uri, qrSvg: await totpQrSvg(uri) };
  }

  async function newCodes(accountId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await credentials.replaceRecoveryCodes(
      accountId,
      codes.map((c) => hashRecoveryCode(accountId, c)),
      now(),
    );
    return codes;
  }

  const service = {
    summary(accountId: string): Promise<FactorSummary> {
      return summarizeFactors(credentials, accountId);
    },

    /** What the step-up policy needs (src/mfa/step-up-policy.ts). */
    async factors(accountId: string) {
      const [totp, left, passkeys] = await Promise.all([
        credentials.findTotp(accountId),
        credentials.countRecoveryCodes(accountId),
        credentials.listPasskeys(accountId),
      ]);
      return {
        totp: totp?.confirmedAt !== undefined,
        recoveryCodes: left > 0,
        passkey: passkeys.length > 0,
      };
    },

    /**
     * The pending enrolment (a new secret, or the one pending already, so reloading the page
     * shows the same QR code). `undefined` when an active authenticator exists: it must be
     * removed first, so nobody who only holds a session can swap it silently.
     */
    async startTotpEnrolment(accountId: string, label: string): Promise<TotpEnrolment | undefined> {
      const existing = await credentials.findTotp(accountId);
      if (existing?.confirmedAt !== undefined) return undefined;
      if (existing) {
        return enrolmentOf(openTotpSecret(cipher, accountId, existing.sealedSecret), label);
      }
      const secret = newTotpSecret();
      await credentials.putTotp({
        accountId,
        sealedSecret: sealTotpSecret(cipher, accountId, secret),
        createdAt: now(),
        confirmedAt: undefined,
        lastUsedAt: undefined,
      });
      return enrolmentOf(secret, label);
    },

    /**
     * Verify-before-active: the pending authenticator becomes active with a correct code (whose
     * step is then used up, so the same code cannot also pass the sign-in step). Returns the new
     * recovery codes to show once, or `undefined` for a wrong code or no pending enrolment.
     */
    async confirmTotp(accountId: string, code: string): Promise<string[] | undefined> {
      const pending = await credentials.findTotp(accountId);
      if (!pending || pending.confirmedAt !== undefined) return undefined;
      const secret = openTotpSecret(cipher, accountId, pending.sealedSecret);
      const step = matchTotp(secret, code.trim(), now());
      if (step === undefined) return undefined;
      if (!(await credentials.useTotpStep(accountId, step, now()))) return undefined;
      if (!(await credentials.confirmTotp(accountId, pending.sealedSecret, now()))) {
        return undefined;
      }
      await events.record({
        type: 'mfa.enrolled',
        subject: accountId,
        details: { factor: 'totp' },
      });
      return newCodes(accountId);
    },

    /** RFC 6238 check of an active authenticator; a code works once (replays are refused). */
    async checkTotp(accountId: string, code: string): Promise<TotpCheck> {
      const totp = await credentials.findTotp(accountId);
      if (totp?.confirmedAt === undefined) return 'wrong';
      const secret = openTotpSecret(cipher, accountId, totp.sealedSecret);
      const step = matchTotp(secret, code.replace(/\s/g, ''), now());
      if (step === undefined) return 'wrong';
      return (await credentials.useTotpStep(accountId, step, now())) ? 'ok' : 'replayed';
    },

    /** Uses a recovery code; `remaining` is how many are left after it. */
    async useRecoveryCode(
      accountId: string,
      code: string,
    ): Promise<{ ok: true; remaining: number } | { ok: false }> {
      const bare = normaliseRecoveryCode(code);
      if (bare === undefined) return { ok: false };
      if (!(await credentials.useRecoveryCode(accountId, hashRecoveryCode(accountId, bare)))) {
        return { ok: false };
      }
      const remaining = await credentials.countRecoveryCodes(accountId);
      await events.record({
        type: 'recovery_code.used',
        subject: accountId,
        details: { remaining },
      });
      return { ok: true, remaining };
    },

    /** New recovery codes (shown once); the old ones stop working. */
    async regenerateRecoveryCodes(accountId: string): Promise<string[]> {
      const codes = await newCodes(accountId);
      await events.record({ type: 'recovery_codes.regenerated', subject: accountId });
      return codes;
    },

    /** Removes the TOTP authenticator (and with it the recovery codes, which back it up). */
    async removeTotp(accountId: string): Promise<boolean> {
      const removed = await credentials.removeTotp(accountId);
      await credentials.replaceRecoveryCodes(accountId, [], now());
      if (removed) {
        await events.record({
          type: 'mfa.removed',
          subject: accountId,
          details: { factor: 'totp' },
        });
      }
      return removed;
    },

    async listPasskeys(accountId: string): Promise<PasskeyView[]> {
      return (await credentials.listPasskeys(accountId)).map(passkeyView);
    },

    async removePasskey(accountId: string, id: string): Promise<boolean> {
      const found = await credentials.findPasskey(id);
      if (found?.accountId !== accountId) return false;
      const removed = await credentials.removePasskey(accountId, id);
      if (removed) {
        await events.record({
          type: 'passkey.removed',
          subject: accountId,
          details: { name: found.name },
        });
      }
      return removed;
    },

    /**
     * Every factor of the account removed (an operator's reset when a user lost them all,
     * docs/mfa.md); returns how many credentials went.
     */
    async resetAll(accountId: string, actor?: string): Promise<number> {
      const removed = await credentials.removeAll(accountId);
      await events.record({
        type: 'mfa.removed',
        subject: accountId,
        actor,
        details: { factor: 'all', removed },
      });
      return removed;
    },
  };
  return service;
}

export type MfaService = ReturnType<typeof createMfaService>;
