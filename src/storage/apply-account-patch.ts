import type { AccountPatch, AccountRecord } from './ports.ts';

/**
 * The record after `patch`: a field the patch names is replaced. `email`/`emailNormalized` are
 * optional in the record, so naming them with `undefined` clears the email; the other fields are
 * required, so an `undefined` there is ignored rather than stored.
 */
export function applyAccountPatch(
  record: AccountRecord,
  patch: AccountPatch,
  updatedAt: number,
): AccountRecord {
  const next: AccountRecord = { ...record, updatedAt };
  if ('email' in patch) next.email = patch.email;
  if ('emailNormalized' in patch) next.emailNormalized = patch.emailNormalized;
  if (patch.emailVerified !== undefined) next.emailVerified = patch.emailVerified;
  if (patch.passwordHash !== undefined) next.passwordHash = patch.passwordHash;
  if (patch.disabled !== undefined) next.disabled = patch.disabled;
  if (patch.claims !== undefined) next.claims = patch.claims;
  return next;
}
