/**
 * Keyset-pagination cursors: the base64url of the last key of a page (an `_id` or a normalised
 * username). Opaque to callers; a cursor that decodes to garbage only pages on from wherever its
 * bytes sort, and is only ever used as a string value in a query, never as a key or operator.
 */
export function encodeCursor(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
}
