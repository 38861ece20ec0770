/** `scheme://authority` and the rest of an absolute-form request target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is;

export type RequestTarget =
  | { form: 'origin' }
  /** `authority` normalised like `URL.host` (lower case, default port dropped); `rest` in origin form. */
  | { form: 'absolute'; authority: string; originForm: string }
  | { form: 'invalid' };

/**
 * Sorts a request line's target (Node's `req.url`, as sent). Hand-written rather than `new URL`,
 * which would also normalise the path (dot segments, percent-encoding) that the routers must see
 * as it was sent; only the authority goes through `URL`, to be compared with the issuer's.
 */
export function parseRequestTarget(target: string): RequestTarget {
  if (target.startsWith('/')) return { form: 'origin' };
  const match = ABSOLUTE_FORM.exec(target);
  const scheme = match?.[1] ?? '';
  const authority = match?.[2] ?? '';
  // Userinfo in an http(s) URI is deprecated and never sent in a request target (RFC 9110 §4.2.4).
  if (!/^https?$/i.test(scheme) || authority === '' || authority.includes('@'))
    return { form: 'invalid' };
  let host: string;
  try {
    host = new URL(`${scheme.toLowerCase()}://${authority}`).host.toLowerCase();
  } catch {
    return { form: 'invalid' };
  }
  const rest = match?.[3] ?? '';
  return {
    form: 'absolute',
    authority: host,
    originForm: rest === '' || rest.startsWith('?') ? `/${rest}` : rest,
  };
}
