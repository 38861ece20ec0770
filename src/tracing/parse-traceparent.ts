import type { SpanContext } from '@opentelemetry/api';

// W3C Trace Context §3.2: version "00", 16-byte trace id, 8-byte parent id, 1-byte flags,
// lower-case hex. Later versions may append fields after the flags (§3.2.4).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The remote parent named by a `traceparent` header, or undefined when it is absent or invalid. */
export function parseTraceparent(header: string | undefined): SpanContext | undefined {
  const m = header === undefined ? null : TRACEPARENT.exec(header.trim());
  if (!m) return undefined;
  const [, version = '', traceId = '', spanId = '', flags = '', rest] = m;
  // §3.2.2.1: version ff is invalid; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  // §3.2.2.3 / §3.2.2.4: all-zero ids are invalid.
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) & 0x01, isRemote: true };
}
