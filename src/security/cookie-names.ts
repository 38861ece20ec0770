/**
 * oidc-provider's cookie names. Over https they carry the prefixes browsers enforce (RFC 6265bis
 * §4.1.3, ASVS 3.3.1, 3.3.3): `__Host-` for the session cookie (Secure, Path=/, no Domain: no
 * sibling subdomain can set or shadow it) and `__Secure-` for the interaction cookies, which
 * the provider scopes to the interaction's path, so `__Host-` is impossible for them. Over
 * plain http (development) prefixed cookies would be refused by browsers: the library's names.
 */
export function providerCookieNames(https: boolean): {
  session: string;
  interaction: string;
  resume: string;
} {
  return https
    ? {
        session: '__Host-session',
        interaction: '__Secure-interaction',
        resume: '__Secure-interaction_resume',
      }
    : { session: '_session', interaction: '_interaction', resume: '_interaction_resume' };
}
