/**
 * Keyset-pagination cursors: the base64url of the last key of a page (an id or a normalised
 * username). Opaque to callers (the ports promise nothing about their shape); a cursor that does
 * not decode to a key simply pages on from wherever its bytes sort, which reveals nothing and
 * cannot fail. Backends only ever use the decoded key as a value in a query, never as a field
 * name or operator.
 */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
}
