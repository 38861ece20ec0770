/**
 * oidc-provider's `ttl.Session`, giving sessions an idle timeout and an absolute lifetime
 * (ASVS 7.3.1, 7.3.2; NIST SP 800-63B §7.2).
 *
 * The provider saves the session again, with a fresh TTL from this function, on every request
 * that uses it (authorization requests, silent sign-ins, logout), and never on requests that
 * do not (token, userinfo). So the TTL is the idle timeout — a session not used for that long
 * expires in the store, and every read refuses expired entries — but never more than what is
 * left of the absolute lifetime counted from the last password sign-in (`loginTs`; `max_age`,
 * `prompt=login` and a lifetime's end all require a fresh one). TTLs are whole seconds, so
 * either limit may be exceeded by less than a second.
 */
export function sessionTtl(
  policy: { idleTimeoutSeconds: number; absoluteSeconds: number },
  nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
) {
  return function sessionTtl(_ctx: unknown, session: { loginTs?: number | undefined }): number {
    if (typeof session.loginTs !== 'number')
      return Math.min(policy.idleTimeoutSeconds, policy.absoluteSeconds);
    const left = session.loginTs + policy.absoluteSeconds - nowSeconds();
    return Math.max(1, Math.min(policy.idleTimeoutSeconds, left));
  };
}
