import type { OidcPayload } from './ports.ts';

/**
 * A payload field the backends index (`grantId`, `uid`, `userCode`, `accountId`, `clientId`),
 * when it is a string. Anything else is not indexed: a lookup by a non-string value would be a
 * type confusion (or a NoSQL operator smuggled in as an object), never a match.
 */
export function payloadStringField(payload: OidcPayload, field: string): string | undefined {
  const value = payload[field];
  return typeof value === 'string' ? value : undefined;
}
