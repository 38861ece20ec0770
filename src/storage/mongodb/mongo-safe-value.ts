/**
 * Reversible encoding of JSON values (payloads, claims, settings) into what every
 * MongoDB-protocol server we support stores faithfully.
 *
 * Keys: payloads carry keys we do not control. oidc-provider keys a Session's `authorizations`
 * by `client_id`, and client_ids may contain dots (stack-notes: this broke the old example
 * adapter). MongoDB before 5.0 and FerretDB 1.24 refuse keys containing `.` or starting with
 * `$` ("invalid key"); even where accepted, update paths cannot address them. So every key is
 * percent-escaped: `%` first (keeps the mapping reversible), then `.`, `$` and NUL (BSON keys are
 * C strings). Keys without these characters, nearly all of them, are stored unchanged, so
 * documents stay readable in the mongo shell.
 *
 * Arrays directly inside arrays: FerretDB 1.24 refuses them ("nested arrays are not
 * supported"), so an inner array is stored as `{ "%A": [...] }`. No escaped key can be `%A`
 * (an escaped key's `%` is always followed by 25, 2E, 24 or 00), so decoding is unambiguous.
 */

const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', '.': '%2E', $: '%24', '\0': '%00' };
const UNESCAPES: Readonly<Record<string, string>> = {
  '%25': '%',
  '%2E': '.',
  '%24': '$',
  '%00': '\0',
};
const NESTED_ARRAY_KEY = '%A';

function escapeKey(key: string): string {
  return key.replace(/[%.$\0]/g, (ch) => ESCAPES[ch] ?? ch);
}

function unescapeKey(key: string): string {
  return key.replace(/%(?:25|2E|24|00)/g, (seq) => UNESCAPES[seq] ?? seq);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// Object.fromEntries defines own properties, so a `__proto__` key stays data, not a prototype.
function encode(value: unknown, inArray: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => encode(item, true));
    return inArray ? { [NESTED_ARRAY_KEY]: items } : items;
  }
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [escapeKey(key), encode(item, false)]),
  );
}

function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  const wrapped = value[NESTED_ARRAY_KEY];
  if (keys.length === 1 && Array.isArray(wrapped)) return wrapped.map(decode);
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [unescapeKey(key), decode(item)]),
  );
}

/** Deep copy of `value` that any supported server stores and returns unchanged. */
export function toMongoSafe(value: unknown): unknown {
  return encode(value, false);
}

/** Reverses `toMongoSafe`. */
export function fromMongoSafe(value: unknown): unknown {
  return decode(value);
}
