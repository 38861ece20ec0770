/**
 * The form a username or email is matched in: NFKC (so look-alike compatibility characters fold
 * together), trimmed, lower-cased. "Alice", "alice" and "ＡＬＩＣＥ" are one account.
 */
export function normalizeLogin(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase();
}
