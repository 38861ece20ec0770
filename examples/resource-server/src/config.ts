/**
 * The example API's settings, from its environment. It is a separate service from Portcullis, so
 * it has its own configuration, read here and nowhere else.
 */
export interface ResourceServerConfig {
  /** Portcullis's issuer URL (its discovery document is at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** This API's identifier as registered with `portcullis api add --identifier` (the tokens' `aud`). */
  identifier: string;
  /** The client this API introspects as (`portcullis client add --resource-server`). */
  introspectionClientId: string;
  introspectionClientSecret: string;
  /** How long an introspection answer may be reused (seconds; 0 = ask every time). */
  introspectionCacheSeconds: number;
  /** Most answers kept in the cache (bounded memory under a flood of distinct tokens). */
  introspectionCacheSize: number;
  /** The scope the example endpoint requires (one of the scopes registered for the API). */
  requiredScope: string;
  /** The scope placing an order (`POST /orders`, `POST /orders/local`) requires. */
  writeScope?: string | undefined;
  /**
   * A role every call must hold (the token's `roles` claim, docs/rbac.md), or none. The role
   * says who the user is in the organisation; the scope what this token may do.
   */
  requiredRole?: string | undefined;
  /** This API's public base URL: DPoP proofs name it in `htu` (RFC 9449 §4.3). */
  publicUrl: string;
  host: string;
  port: number;
}

export function loadConfig(env: Record<string, string | undefined>): ResourceServerConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const port = Number(env.PORT ?? '4000');
  const host = env.HOST ?? '127.0.0.1';
  return {
    issuer: required('ISSUER'),
    identifier: required('API_IDENTIFIER'),
    introspectionClientId: required('INTROSPECTION_CLIENT_ID'),
    introspectionClientSecret: required('INTROSPECTION_CLIENT_SECRET'),
    introspectionCacheSeconds: Number(env.INTROSPECTION_CACHE_SECONDS ?? '5'),
    introspectionCacheSize: Number(env.INTROSPECTION_CACHE_SIZE ?? '10000'),
    requiredScope: env.REQUIRED_SCOPE ?? 'orders:read',
    writeScope: env.WRITE_SCOPE ?? 'orders:write',
    requiredRole: env.REQUIRED_ROLE || undefined,
    publicUrl: env.PUBLIC_URL ?? `http://${host}:${port}`,
    host,
    port,
  };
}
