import type { CredentialStore, PasskeyRecord } from '../storage/credential-ports.ts';
import { RECOVERY_CODES_LOW } from './recovery-codes.ts';

/** A passkey as pages and admins see it: no key material. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | undefined;
  attachment: 'platform' | 'cross-platform' | undefined;
  backedUp: boolean;
  deviceType: 'singleDevice' | 'multiDevice';
}

/** A user's factors, without any credential material (admin API, CLI, account pages). */
export interface FactorSummary {
  totp: 'none' | 'pending' | 'active';
  totpCreatedAt: number | undefined;
  totpLastUsedAt: number | undefined;
  recoveryCodesLeft: number;
  /** True when few unused recovery codes remain (RECOVERY_CODES_LOW). */
  recoveryCodesLow: boolean;
  passkeys: PasskeyView[];
}

export function passkeyView(record: PasskeyRecord): PasskeyView {
  return {
    id: record.id,
    name: record.name,
    createdAt: record.createdAt,
    lastUsedAt: record.lastUsedAt,
    attachment: record.attachment,
    backedUp: record.backedUp,
    deviceType: record.deviceType,
  };
}

/** Reads what a user holds; never the secret, a hash or a public key (ASVS 15.3.1). */
export async function summarizeFactors(
  credentials: Pick<CredentialStore, 'findTotp' | 'countRecoveryCodes' | 'listPasskeys'>,
  accountId: string,
): Promise<FactorSummary> {
  const [totp, left, passkeys] = await Promise.all([
    credentials.findTotp(accountId),
    credentials.countRecoveryCodes(accountId),
    credentials.listPasskeys(accountId),
  ]);
  return {
    totp: !totp ? 'none' : totp.confirmedAt === undefined ? 'pending' : 'active',
    totpCreatedAt: totp?.createdAt,
    totpLastUsedAt: totp?.lastUsedAt,
    recoveryCodesLeft: left,
    recoveryCodesLow: totp?.confirmedAt !== undefined && left <= RECOVERY_CODES_LOW,
    passkeys: passkeys.map(passkeyView),
  };
}
