import { decodeCursor, encodeCursor } from './page-cursor.ts';

/** Where a newest-first event listing stopped: the last event's `time` and `id`. */
export interface EventPosition {
  time: number;
  id: string;
}

/** The cursor after `last`: events sort by (time, id) descending, so both keys are needed. */
export function encodeEventCursor(last: EventPosition): string {
  return encodeCursor(JSON.stringify([last.time, last.id]));
}

/**
 * The position a cursor names, or `undefined` when there is none. A cursor that is not ours
 * (tampered, or from another listing) also gives `undefined`, so the listing starts again from
 * the newest event: it reveals nothing and cannot fail.
 */
export function decodeEventCursor(cursor: string | undefined): EventPosition | undefined {
  const text = decodeCursor(cursor);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [time, id] = parsed as unknown[];
  return typeof time === 'number' && Number.isFinite(time) && typeof id === 'string'
    ? { time, id }
    : undefined;
}
