/**
 * The only place that names environment variables. Each maps to one configuration key; the
 * configuration table in docs/configuration.md lists them. Values are converted by kind; a value that does not convert is
 * passed on as the raw string so the schema reports it against the variable's name.
 */

export type EnvKind = 'string' | 'integer' | 'boolean' | 'list' | 'json';

export interface EnvBinding {
  readonly env: string;
  readonly path: readonly string[];
  readonly kind: EnvKind;
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'NODE_ENV', path: ['env'], kind: 'string' },
  { env: 'HOST', path: ['server', 'host'], kind: 'string' },
  { env: 'PORT', path: ['server', 'port'], kind: 'integer' },
  { env: 'ISSUER', path: ['server', 'issuer'], kind: 'string' },
  { env: 'TRUST_PROXY', path: ['server', 'trustProxy'], kind: 'boolean' },
  { env: 'TRUSTED_PROXIES', path: ['server', 'trustedProxies'], kind: 'list' },
  { env: 'ALLOWED_HOSTS', path: ['server', 'allowedHosts'], kind: 'list' },
  { env: 'BODY_LIMIT_BYTES', path: ['server', 'bodyLimitBytes'], kind: 'integer' },
  { env: 'SHUTDOWN_GRACE_SECONDS', path: ['server', 'shutdownGraceSeconds'], kind: 'integer' },
  // `auto` is not an integer and is passed through as the string the schema accepts.
  { env: 'WORKERS', path: ['server', 'workers'], kind: 'integer' },
  { env: 'STORE', path: ['store', 'backend'], kind: 'string' },
  { env: 'DATA_DIR', path: ['store', 'dataDir'], kind: 'string' },
  { env: 'STORE_SWEEP_INTERVAL_SECONDS', path: ['store', 'sweepIntervalSeconds'], kind: 'integer' },
  { env: 'MONGODB_URI', path: ['store', 'mongodb', 'uri'], kind: 'string' },
  { env: 'MONGODB_DB', path: ['store', 'mongodb', 'dbName'], kind: 'string' },
  { env: 'MONGODB_MAX_POOL_SIZE', path: ['store', 'mongodb', 'maxPoolSize'], kind: 'integer' },
  {
    env: 'MONGODB_SERVER_SELECTION_TIMEOUT_MS',
    path: ['store', 'mongodb', 'serverSelectionTimeoutMs'],
    kind: 'integer',
  },
  { env: 'LOG_LEVEL', path: ['log', 'level'], kind: 'string' },
  { env: 'LOG_FORMAT', path: ['log', 'format'], kind: 'string' },
  { env: 'METRICS_ENABLED', path: ['metrics', 'enabled'], kind: 'boolean' },
  { env: 'METRICS_HOST', path: ['metrics', 'host'], kind: 'string' },
  { env: 'METRICS_PORT', path: ['metrics', 'port'], kind: 'integer' },
  { env: 'METRICS_ON_MAIN_PORT', path: ['metrics', 'onMainPort'], kind: 'boolean' },
  {
    env: 'METRICS_SESSION_SAMPLE_SECONDS',
    path: ['metrics', 'sessionSampleSeconds'],
    kind: 'integer',
  },
  // The standard OpenTelemetry variables (OTLP exporter specification), so collectors' usual
  // deployment recipes work unchanged.
  { env: 'OTEL_EXPORTER_OTLP_ENDPOINT', path: ['tracing', 'otlpEndpoint'], kind: 'string' },
  { env: 'OTEL_SERVICE_NAME', path: ['tracing', 'serviceName'], kind: 'string' },
  { env: 'COOKIE_KEYS', path: ['secrets', 'cookieKeys'], kind: 'list' },
  { env: 'CLIENT_SECRET_KEYS', path: ['secrets', 'clientSecretKeys'], kind: 'list' },
  { env: 'METRICS_TOKEN', path: ['secrets', 'metricsToken'], kind: 'string' },
  { env: 'ACCESS_TOKEN_TTL', path: ['ttl', 'accessToken'], kind: 'integer' },
  { env: 'AUTHORIZATION_CODE_TTL', path: ['ttl', 'authorizationCode'], kind: 'integer' },
  { env: 'ID_TOKEN_TTL', path: ['ttl', 'idToken'], kind: 'integer' },
  { env: 'REFRESH_TOKEN_TTL', path: ['ttl', 'refreshToken'], kind: 'integer' },
  { env: 'CLIENT_CREDENTIALS_TTL', path: ['ttl', 'clientCredentials'], kind: 'integer' },
  { env: 'SESSION_TTL', path: ['ttl', 'session'], kind: 'integer' },
  { env: 'GRANT_TTL', path: ['ttl', 'grant'], kind: 'integer' },
  { env: 'INTERACTION_TTL', path: ['ttl', 'interaction'], kind: 'integer' },
  { env: 'KEY_ALGORITHMS', path: ['keys', 'algorithms'], kind: 'list' },
  { env: 'KEY_PUBLISH_LEAD_SECONDS', path: ['keys', 'publishLeadSeconds'], kind: 'integer' },
  { env: 'KEY_RELOAD_INTERVAL_SECONDS', path: ['keys', 'reloadIntervalSeconds'], kind: 'integer' },
  { env: 'PKCE_REQUIRED', path: ['oidc', 'pkceRequired'], kind: 'string' },
  { env: 'ID_TOKEN_SIGNING_ALG', path: ['oidc', 'idTokenSigningAlg'], kind: 'string' },
  { env: 'ID_TOKEN_CLAIMS', path: ['oidc', 'idTokenClaims'], kind: 'string' },
  { env: 'CUSTOM_CLAIMS', path: ['oidc', 'customClaims'], kind: 'list' },
  { env: 'FEATURE_INTROSPECTION', path: ['features', 'introspection'], kind: 'boolean' },
  { env: 'FEATURE_REVOCATION', path: ['features', 'revocation'], kind: 'boolean' },
  { env: 'FEATURE_RP_INITIATED_LOGOUT', path: ['features', 'rpInitiatedLogout'], kind: 'boolean' },
  { env: 'FEATURE_REGISTRATION', path: ['features', 'registration'], kind: 'boolean' },
  { env: 'FEATURE_BACKCHANNEL_LOGOUT', path: ['features', 'backchannelLogout'], kind: 'boolean' },
  { env: 'PRODUCT_NAME', path: ['ui', 'productName'], kind: 'string' },
  { env: 'UI_LOGO_URL', path: ['ui', 'logoUrl'], kind: 'string' },
  { env: 'UI_PRIMARY_COLOR', path: ['ui', 'primaryColor'], kind: 'string' },
  { env: 'UI_FOOTER_LINKS', path: ['ui', 'footerLinks'], kind: 'json' },
  { env: 'UI_TEMPLATES_DIR', path: ['ui', 'templatesDir'], kind: 'string' },
  { env: 'PASSWORD_MIN_LENGTH', path: ['passwords', 'minLength'], kind: 'integer' },
  { env: 'MFA_DEFAULT_POLICY', path: ['mfa', 'defaultPolicy'], kind: 'string' },
  { env: 'LOGIN_MAX_FAILURES', path: ['security', 'login', 'maxFailures'], kind: 'integer' },
  {
    env: 'LOGIN_FAILURE_WINDOW_SECONDS',
    path: ['security', 'login', 'failureWindowSeconds'],
    kind: 'integer',
  },
  { env: 'LOGIN_LOCKOUT_SECONDS', path: ['security', 'login', 'lockoutSeconds'], kind: 'integer' },
  { env: 'LOGIN_DELAY_BASE_MS', path: ['security', 'login', 'delayBaseMs'], kind: 'integer' },
  { env: 'LOGIN_DELAY_MAX_MS', path: ['security', 'login', 'delayMaxMs'], kind: 'integer' },
  { env: 'LOGIN_IP_MAX_FAILURES', path: ['security', 'login', 'ipMaxFailures'], kind: 'integer' },
  {
    env: 'LOGIN_IP_WINDOW_SECONDS',
    path: ['security', 'login', 'ipWindowSeconds'],
    kind: 'integer',
  },
  {
    env: 'CLIENT_AUTH_MAX_FAILURES',
    path: ['security', 'clientAuth', 'maxFailures'],
    kind: 'integer',
  },
  {
    env: 'CLIENT_AUTH_WINDOW_SECONDS',
    path: ['security', 'clientAuth', 'windowSeconds'],
    kind: 'integer',
  },
  {
    env: 'CLIENT_AUTH_IP_MAX_FAILURES',
    path: ['security', 'clientAuth', 'ipMaxFailures'],
    kind: 'integer',
  },
  {
    env: 'SESSION_IDLE_TIMEOUT',
    path: ['security', 'sessions', 'idleTimeoutSeconds'],
    kind: 'integer',
  },
  {
    env: 'SESSION_MAX_CONCURRENT',
    path: ['security', 'sessions', 'maxConcurrent'],
    kind: 'integer',
  },
  { env: 'SESSION_LIMIT_ACTION', path: ['security', 'sessions', 'onLimit'], kind: 'string' },
  {
    env: 'LOGOUT_REVOKES_OFFLINE_TOKENS',
    path: ['security', 'logout', 'revokeOfflineTokens'],
    kind: 'boolean',
  },
  {
    env: 'BACKCHANNEL_LOGOUT_ATTEMPTS',
    path: ['security', 'backchannelLogout', 'attempts'],
    kind: 'integer',
  },
  {
    env: 'BACKCHANNEL_LOGOUT_RETRY_DELAY_MS',
    path: ['security', 'backchannelLogout', 'retryDelayMs'],
    kind: 'integer',
  },
  {
    env: 'BACKCHANNEL_LOGOUT_ALLOW_PRIVATE_NETWORKS',
    path: ['security', 'backchannelLogout', 'allowPrivateNetworks'],
    kind: 'boolean',
  },
  {
    env: 'REFRESH_TOKEN_GRACE_SECONDS',
    path: ['security', 'refreshTokenReuseGraceSeconds'],
    kind: 'integer',
  },
  { env: 'EVENTS_RETENTION_DAYS', path: ['events', 'retentionDays'], kind: 'integer' },
  { env: 'CACHE_INTROSPECTION', path: ['cache', 'introspection', 'enabled'], kind: 'boolean' },
  {
    env: 'CACHE_INTROSPECTION_MAX_ENTRIES',
    path: ['cache', 'introspection', 'maxEntries'],
    kind: 'integer',
  },
  { env: 'CACHE_INVALIDATION_BOUND_MS', path: ['cache', 'invalidationBoundMs'], kind: 'integer' },
  { env: 'CACHE_URL', path: ['cache', 'redisUrl'], kind: 'string' },
  { env: 'CACHE_CLIENTS_MAX_ENTRIES', path: ['cache', 'clients', 'maxEntries'], kind: 'integer' },
  { env: 'EMAIL_TRANSPORT', path: ['email', 'transport'], kind: 'string' },
  { env: 'SMTP_URL', path: ['email', 'smtpUrl'], kind: 'string' },
  { env: 'EMAIL_FROM', path: ['email', 'from'], kind: 'string' },
  { env: 'SMTP_REQUIRE_TLS', path: ['email', 'requireTls'], kind: 'boolean' },
  {
    env: 'SMTP_TLS_REJECT_UNAUTHORIZED',
    path: ['email', 'tlsRejectUnauthorized'],
    kind: 'boolean',
  },
  { env: 'EMAIL_ATTEMPTS', path: ['email', 'attempts'], kind: 'integer' },
  { env: 'EMAIL_RETRY_DELAY_MS', path: ['email', 'retryDelayMs'], kind: 'integer' },
  { env: 'ACCOUNT_SELF_SERVICE', path: ['account', 'selfService'], kind: 'boolean' },
  { env: 'ACCOUNT_SELF_DELETE', path: ['account', 'selfDelete'], kind: 'boolean' },
  { env: 'RESET_TOKEN_TTL', path: ['account', 'resetTokenTtlSeconds'], kind: 'integer' },
  {
    env: 'VERIFICATION_TOKEN_TTL',
    path: ['account', 'verificationTokenTtlSeconds'],
    kind: 'integer',
  },
  { env: 'INVITATION_TTL', path: ['account', 'invitationTtlSeconds'], kind: 'integer' },
  { env: 'RESET_MAX_PER_ADDRESS', path: ['account', 'resetMaxPerAddress'], kind: 'integer' },
  { env: 'RESET_MAX_PER_NETWORK', path: ['account', 'resetMaxPerNetwork'], kind: 'integer' },
  { env: 'RESET_WINDOW_SECONDS', path: ['account', 'resetWindowSeconds'], kind: 'integer' },
  { env: 'NEW_DEVICE_ALERTS', path: ['account', 'newDeviceAlerts'], kind: 'boolean' },
  { env: 'RECENT_AUTH_SECONDS', path: ['account', 'recentAuthSeconds'], kind: 'integer' },
  { env: 'OUTBOX_POLL_INTERVAL_MS', path: ['outbox', 'pollIntervalMs'], kind: 'integer' },
  { env: 'OUTBOX_LEASE_SECONDS', path: ['outbox', 'leaseSeconds'], kind: 'integer' },
  { env: 'OUTBOX_BATCH_SIZE', path: ['outbox', 'batchSize'], kind: 'integer' },
  {
    env: 'OUTBOX_MAX_RETRY_DELAY_SECONDS',
    path: ['outbox', 'maxRetryDelaySeconds'],
    kind: 'integer',
  },
  { env: 'CONSOLE_ENABLED', path: ['console', 'enabled'], kind: 'boolean' },
  { env: 'CONSOLE_ADMINS', path: ['console', 'admins'], kind: 'list' },
  { env: 'CONSOLE_ADMIN_ROLES', path: ['console', 'adminRoles'], kind: 'list' },
  { env: 'CONSOLE_REAUTH_SECONDS', path: ['console', 'reauthSeconds'], kind: 'integer' },
  { env: 'CONSOLE_SESSION_SECONDS', path: ['console', 'sessionSeconds'], kind: 'integer' },
  { env: 'WEBHOOK_ATTEMPTS', path: ['webhooks', 'attempts'], kind: 'integer' },
  { env: 'WEBHOOK_RETRY_DELAY_MS', path: ['webhooks', 'retryDelayMs'], kind: 'integer' },
  {
    env: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    path: ['webhooks', 'allowPrivateNetworks'],
    kind: 'boolean',
  },
];

/** The environment variable bound to a configuration path, for error messages and docs. */
export function envNameFor(path: readonly PropertyKey[]): string | undefined {
  // Longest binding that is a prefix of the path, so `secrets.cookieKeys.0` names COOKIE_KEYS.
  const key = path.map(String);
  return ENV_BINDINGS.filter((b) => b.path.every((p, i) => key[i] === p)).sort(
    (a, b) => b.path.length - a.path.length,
  )[0]?.env;
}

export function convertEnvValue(kind: EnvKind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'integer':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      return raw;
    }
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'json':
      // Structured values (lists of objects); invalid JSON goes on as the raw string, which the
      // schema then reports as the wrong type against the variable's name.
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
  }
}
