import type { OidcPayload } from '../ports.ts';

/**
 * A deep copy of a JSON-shaped payload (plain objects, arrays, strings, numbers, booleans,
 * null) with the durable backends' semantics: what JSON would store is kept, a key whose value
 * is `undefined` is dropped, as SQLite and MongoDB drop it. Written by hand rather than with
 * `structuredClone`: it runs twice per token request on the memory store, and a plain walk is
 * several times cheaper than the structured-clone serializer for these small objects (it also
 * yields this realm's objects, which oidc-provider's plain-object checks accept under jest's VM
 * modules). Anything that is not JSON-shaped (a Date, a Buffer) goes to `structuredClone`.
 */
function copy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      out[i] = item === undefined ? null : copy(item);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner = (value as Record<string, unknown>)[key];
    if (inner !== undefined) out[key] = copy(inner);
  }
  return out;
}

export function copyPayload(payload: OidcPayload): OidcPayload {
  return copy(payload) as OidcPayload;
}
