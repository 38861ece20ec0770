/**
 * Authentication context class references (OIDC Core §2 `acr`) Portcullis can achieve, advertised
 * in discovery (`acr_values_supported`) and set on every sign-in, so an RP that sends
 * `acr_values` gets back the `acr` actually achieved (OIDC Core §3.1.2.1: voluntary acr_values are
 * answered with what was done, never with what was asked).
 *
 * Today a sign-in is one factor, a password. Multi-factor values come with second factors.
 */
export const ACR_PASSWORD = 'urn:portcullis:acr:pwd';

export const ACR_VALUES_SUPPORTED = [ACR_PASSWORD] as const;

/** RFC 8176 authentication method reference for a password. */
export const AMR_PASSWORD = 'pwd';
