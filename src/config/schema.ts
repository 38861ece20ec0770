import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The configuration contract. Every key has a description (docs/configuration.md is
 * generated from it by `npm run config:docs`); defaults live in `config/default.json` and per-mode
 * overrides in `config/<NODE_ENV>.json`; environment variables (see `env-map.ts`) override both.
 * The result is validated once at start and frozen.
 */

const seconds = (description: string) =>
  z
    .number()
    .int()
    .positive()
    .max(31_536_000 * 5)
    .describe(description);

/** `10.0.0.0/8`, `2001:db8::/32`, or one address (its own /32 or /128). */
function isCidr(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return (
    prefix === undefined ||
    (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
  );
}

/** A base64 (or base64url) string of exactly 32 bytes: an AES-256 key. */
function isAes256Key(value: string): boolean {
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

const hostname = z
  .string()
  .min(1)
  .regex(
    /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i,
    'expected a host name with an optional port',
  );

/** A path on this server (`/…`), never `//host` or `/\host`, which browsers treat as another host. */
function isSameOriginPath(value: string): boolean {
  return /^\/(?![/\\])/.test(value) && !/[\\\p{Cc}\s]/u.test(value);
}

function isHttpsUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.protocol === 'https:' && url.username === '' && url.password === '';
}

/**
 * A URL a page may load or link: a same-origin path or an https URL (mixed content and
 * `javascript:` are refused; RFC 9700 §4.11.1 for why `//host` is not a path).
 */
const pageUrl = z
  .string()
  .max(2048)
  .refine(
    (v) => isSameOriginPath(v) || isHttpsUrl(v),
    'expected a path on this server (/…) or an https:// URL',
  );

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

export const configSchema = z
  .object({
    env: z
      .enum(['development', 'production', 'test'])
      .describe(
        'Run mode. `production` refuses to start without explicit secrets and serves no generated ones.',
      ),
    server: z
      .object({
        host: z
          .string()
          .min(1)
          .describe('Interface to listen on (`0.0.0.0` for every interface, as in containers).'),
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .describe('TCP port to listen on (`0` picks a free port).'),
        issuer: z
          .url({ protocol: /^https?$/, error: 'expected an http(s) URL without query or fragment' })
          .refine(
            (v) => !/[?#]/.test(v),
            'the issuer must not have a query or fragment (OIDC Discovery §3)',
          )
          .optional()
          .describe(
            'Public issuer URL, exactly as relying parties see it. Defaults to `http://localhost:<port>`.',
          ),
        trustProxy: z
          .boolean()
          .describe(
            'Trust `X-Forwarded-Proto/-Host/-For` from a TLS-terminating proxy. Only enable when a proxy you run strips these headers from clients (RFC 9700 §4.13).',
          ),
        trustedProxies: z
          .array(
            z.string().refine(isCidr, 'expected a CIDR block such as 10.0.0.0/8 or an IP address'),
          )
          .describe(
            'With `trustProxy`: the addresses (CIDR blocks) of the proxies whose forwarded headers are honoured. Requests from anywhere else have their `X-Forwarded-*` headers removed, and the client address is the right-most `X-Forwarded-For` entry that is not one of these proxies, so clients cannot choose the address that rate limits and logs see. The default is loopback only; in production `trustProxy` needs this set explicitly (the server refuses to start otherwise).',
          ),
        allowedHosts: z
          .array(hostname)
          .describe(
            "Extra `Host` header values accepted besides the issuer's host. Requests for any other host are refused (421) so discovery URLs cannot be poisoned.",
          ),
        bodyLimitBytes: z
          .number()
          .int()
          .min(1024)
          .max(1_048_576)
          .describe(
            "Largest request body accepted on Portcullis's own routes (login, consent). Larger bodies get 413.",
          ),
        shutdownGraceSeconds: z
          .number()
          .int()
          .min(1)
          .max(600)
          .describe(
            "On SIGTERM/SIGINT, how long in-flight requests may take to finish before their connections are closed. Keep it below the orchestrator's kill timeout (Kubernetes: `terminationGracePeriodSeconds`, 30 s).",
          ),
        workers: z
          .union([z.literal('auto'), z.number().int().min(1).max(256)])
          .describe(
            'Processes serving requests (node:cluster, sharing the port and the store): a number, or `auto` for one per CPU core (the production default). More than 1 needs a shared store (`sqlite` or `mongodb`).',
          ),
      })
      .strict()
      .describe('HTTP server'),
    store: z
      .object({
        backend: z
          .enum(['sqlite', 'memory', 'mongodb'])
          .describe(
            'Where data lives: `sqlite` (embedded file, default), `memory` (lost on exit; tests and demos), `mongodb` (production, many hosts).',
          ),
        dataDir: z
          .string()
          .min(1)
          .describe(
            'Directory of the `sqlite` database file (`portcullis.db`). Created if missing.',
          ),
        sweepIntervalSeconds: seconds(
          'How often expired tokens, sessions and codes are deleted from the store.',
        ),
        mongodb: z
          .object({
            uri: z
              .string()
              .regex(
                /^mongodb(\+srv)?:\/\//,
                'expected a mongodb:// or mongodb+srv:// connection string',
              )
              .optional()
              .describe('MongoDB connection string; required when `store.backend` is `mongodb`.'),
            dbName: z
              .string()
              .min(1)
              .max(63)
              .regex(/^[^/\\. "$*<>:|?]+$/, 'expected a valid MongoDB database name')
              .describe(
                'Database name. It wins over a database named in the connection string, whose path then only sets the default `authSource`.',
              ),
            maxPoolSize: z
              .number()
              .int()
              .min(1)
              .max(1000)
              .describe('Largest number of connections per process.'),
            serverSelectionTimeoutMs: z
              .number()
              .int()
              .min(100)
              .max(120_000)
              .describe(
                'How long an operation waits for a reachable server before failing with 503.',
              ),
          })
          .strict()
          .describe('MongoDB backend'),
      })
      .strict()
      .describe('Storage'),
    log: z
      .object({
        level: z
          .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
          .describe('Least severe log level written.'),
        format: z
          .enum(['auto', 'json', 'pretty'])
          .describe(
            '`json`: one JSON object per line (for log shippers). `pretty`: coloured, human-readable. `auto`: pretty in development when stdout is a terminal, JSON otherwise.',
          ),
      })
      .strict()
      .describe('Logging'),
    metrics: z
      .object({
        enabled: z
          .boolean()
          .describe(
            'Serve Prometheus metrics at `/metrics` (see docs/operating.md for the series).',
          ),
        host: z
          .string()
          .min(1)
          .describe(
            'Interface of the separate metrics listener. Loopback by default so metrics are never public by accident; `0.0.0.0` in a container whose metrics port is reachable by Prometheus only.',
          ),
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .describe('Port of the separate metrics listener (`0` picks a free port).'),
        onMainPort: z
          .boolean()
          .describe(
            'Also answer `/metrics` on the public port, only with `Authorization: Bearer <METRICS_TOKEN>`. Prefer the separate listener.',
          ),
        sessionSampleSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .describe(
            'How often the active-sessions gauge is re-counted from the store (sampled, never per request).',
          ),
      })
      .strict()
      .describe('Prometheus metrics'),
    tracing: z
      .object({
        otlpEndpoint: z
          .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
          .optional()
          .describe(
            'OTLP/HTTP collector base URL (spans go to `<url>/v1/traces`). Unset: tracing is off, no SDK starts and nothing is sent.',
          ),
        serviceName: z.string().min(1).max(100).describe('`service.name` of exported spans.'),
      })
      .strict()
      .describe('OpenTelemetry tracing'),
    secrets: z
      .object({
        cookieKeys: z
          .array(z.string().min(32, 'each cookie key must be at least 32 characters'))
          .describe(
            'Keys that sign cookies, newest first (older ones still verify, so keys can be rotated). Required in production; in development they are generated once and kept in the store.',
          ),
        metricsToken: z
          .string()
          .min(32, 'the metrics token must be at least 32 characters')
          .optional()
          .describe(
            'Bearer token required by `/metrics` on the public port (`metrics.onMainPort`); also required by the separate listener when set.',
          ),
        clientSecretKeys: z
          .array(
            z
              .string()
              .refine(
                isAes256Key,
                'each client secret key must be 32 random bytes in base64, e.g. from `openssl rand -base64 32`',
              ),
          )
          .describe(
            'AES-256-GCM keys that encrypt client secrets at rest, newest first: the first encrypts, every listed key decrypts (rotate by prepending a key, then `portcullis client reencrypt`). Each is 32 bytes in base64. Required in production; in development they are generated once and kept in the store.',
          ),
      })
      .strict()
      .describe('Secrets (from the environment, never from files in the repository)'),
    ttl: z
      .object({
        accessToken: seconds('Lifetime of an access token, in seconds.'),
        authorizationCode: z
          .number()
          .int()
          .min(10)
          .max(600)
          .describe(
            'Lifetime of an authorization code, in seconds (ASVS 10.4.3: at most 10 minutes).',
          ),
        idToken: seconds('Lifetime of an ID token, in seconds.'),
        refreshToken: seconds(
          'Lifetime of a refresh token, in seconds (also the absolute limit of a rotated chain).',
        ),
        clientCredentials: seconds('Lifetime of a client-credentials access token, in seconds.'),
        session: seconds('Absolute lifetime of a sign-in session, in seconds.'),
        grant: seconds('Lifetime of a grant (the consent behind tokens), in seconds.'),
        interaction: seconds('How long a user has to finish a login/consent page, in seconds.'),
      })
      .strict()
      .describe('Token and session lifetimes'),
    keys: z
      .object({
        algorithms: z
          .array(z.enum(SIGNING_ALGORITHMS))
          .min(1)
          .refine((a) => new Set(a).size === a.length, 'algorithms must not repeat')
          .describe(
            'Signing algorithms with a key each. ID tokens default to `oidc.idTokenSigningAlg` (RS256); the first is the default of signed introspection responses.',
          ),
        publishLeadSeconds: z
          .number()
          .int()
          .min(0)
          .max(31_536_000)
          .describe(
            'After `keys rotate`, how long a new key is published in the JWKS before it signs, so clients that cache the JWKS already know it.',
          ),
        reloadIntervalSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .describe(
            'How often each process re-reads the key set from the store (to pick up rotations).',
          ),
      })
      .strict()
      .describe('Signing keys'),
    oidc: z
      .object({
        pkceRequired: z
          .enum(['all', 'public'])
          .describe(
            'Which clients must use PKCE (RFC 7636, S256). `all` (default, ASVS 10.4.6, RFC 9700 §2.1.1): every client. `public`: only clients without a secret; confidential clients may omit it, as the OpenID certification profiles and some older libraries expect (their codes are then protected by client authentication alone).',
          ),
        idTokenSigningAlg: z
          .enum(SIGNING_ALGORITHMS)
          .describe(
            'Default `id_token_signed_response_alg` for clients that register none. RS256 is the OpenID Connect default (Registration §2) that every RP library verifies without configuration; a client may register any algorithm of `keys.algorithms`. Must be one of `keys.algorithms`.',
          ),
        idTokenClaims: z
          .enum(['scopes', 'userinfo'])
          .describe(
            '`scopes`: the ID token carries the claims of the granted scopes (`email`, `name` …), as Keycloak and Google do and as most RP libraries read them. `userinfo`: only `sub` and the protocol claims; profile claims only from the UserInfo endpoint (OIDC Core §5.4 for code-flow tokens). A client can choose with its `id_token_claims` metadata.',
          ),
        customClaims: z
          .array(
            z
              .string()
              .regex(
                /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/,
                'must be a claim name of at most 64 characters',
              ),
          )
          .max(100)
          .describe(
            "Claim names besides the standard ones that clients' `claim_mappings` may release (issue 16: a custom attribute or a renamed claim, e.g. `department`, `mail`). The provider releases only claims it knows (they are listed in discovery's `claims_supported`); protocol claims (`sub`, `iss`, `aud`, …) are never allowed.",
          ),
      })
      .strict()
      .describe('OpenID Connect protocol defaults'),
    features: z
      .object({
        introspection: z
          .boolean()
          .describe('RFC 7662 token introspection, for clients marked as resource servers only.'),
        revocation: z.boolean().describe('RFC 7009 token revocation.'),
        rpInitiatedLogout: z
          .boolean()
          .describe('OpenID Connect RP-Initiated Logout (`end_session_endpoint`).'),
        registration: z
          .boolean()
          .describe(
            'RFC 7591 dynamic client registration and RFC 7592 management at `/reg`, open only to holders of an initial access token an admin created.',
          ),
        backchannelLogout: z
          .boolean()
          .describe(
            'OpenID Connect Back-Channel Logout: clients that registered a `backchannel_logout_uri` get a signed logout token when a user signs out (retried, see `security.backchannelLogout`).',
          ),
      })
      .strict()
      .describe('Protocol features'),
    ui: z
      .object({
        productName: z.string().min(1).max(60).describe('Name shown on every page.'),
        logoUrl: pageUrl.describe(
          'Logo in the header of every page (and the favicon): a path on this server or an https URL. Shown 32×32 px, beside the product name; an SVG or a square image of at least 64 px looks best.',
        ),
        primaryColor: z
          .string()
          .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i, 'expected a hex colour such as #1d4ed8')
          .optional()
          .describe(
            'Brand colour of buttons, links and the focus ring, as `#rrggbb`. Served as a generated stylesheet (`/assets/theme.css`); darkened or lightened only as much as WCAG AA contrast needs in the light and dark schemes. Unset: the built-in blue.',
          ),
        footerLinks: z
          .array(
            z
              .object({
                label: z.string().trim().min(1).max(60).describe('Link text, as shown.'),
                url: pageUrl.describe('A path on this server or an https URL.'),
              })
              .strict()
              .describe('One footer link.'),
          )
          .max(8)
          .describe(
            'Links in the footer of every page, e.g. privacy policy, imprint, help: a list of `{ "label", "url" }` (as JSON in the environment variable).',
          ),
        templatesDir: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Folder of custom page templates; a template there replaces the built-in one of the same name. It must hold `portcullis-templates.json` declaring the template contract version it was written for, or the server refuses to start (docs/templates.md).',
          ),
      })
      .strict()
      .describe('Pages'),
    passwords: z
      .object({
        minLength: z
          .number()
          .int()
          .min(8)
          .max(128)
          .describe('Shortest password accepted for new users (ASVS 6.2.1: at least 8).'),
      })
      .strict()
      .describe('Password policy'),
    mfa: z
      .object({
        defaultPolicy: z
          .enum(['none', 'optional', 'required'])
          .describe(
            'Second factors for clients without `mfa` metadata (docs/mfa.md). `none`: a password is enough. `optional`: users who enrolled a TOTP app or a passkey must use it. `required`: every user must; one without a factor enrols a TOTP app at sign-in. Stricter is safer (ASVS 6.3.3) but every user then needs an authenticator app.',
          ),
      })
      .strict()
      .describe('Second factors and passkeys'),
    security: z
      .object({
        login: z
          .object({
            maxFailures: z
              .number()
              .int()
              .min(1)
              .max(100)
              .describe(
                'Failed sign-ins on one account (usernames in any case and the email count as one) before it is locked (ASVS 6.3.1).',
              ),
            failureWindowSeconds: seconds(
              'How long failed sign-ins on an account are counted, from the first; a success clears the count.',
            ),
            lockoutSeconds: seconds(
              'How long a locked account stays locked. Attempts during the lock are refused unchecked and do not extend it.',
            ),
            delayBaseMs: z
              .number()
              .int()
              .min(0)
              .max(10_000)
              .describe(
                'Delay before the second attempt on an account in a failure window, doubling with each further attempt (0 turns delays off).',
              ),
            delayMaxMs: z
              .number()
              .int()
              .min(0)
              .max(60_000)
              .describe('Longest delay before an attempt.'),
            ipMaxFailures: z
              .number()
              .int()
              .min(1)
              .max(100_000)
              .describe(
                'Failed sign-ins from one address (IPv6: one /64), over any accounts, before further sign-ins from there are refused with 429 until the window ends (password spraying).',
              ),
            ipWindowSeconds: seconds('How long failed sign-ins per address are counted.'),
          })
          .strict()
          .describe('Brute-force limits on the sign-in page'),
        clientAuth: z
          .object({
            maxFailures: z
              .number()
              .int()
              .min(1)
              .max(10_000)
              .describe(
                'Failed client authentications of one client from one address at the token, introspection and revocation endpoints before it is refused there with 429.',
              ),
            windowSeconds: seconds('How long failed client authentications are counted.'),
            ipMaxFailures: z
              .number()
              .int()
              .min(1)
              .max(100_000)
              .describe(
                'Failed client authentications from one address over any client ids before that address is refused with 429.',
              ),
          })
          .strict()
          .describe('Brute-force limits on client authentication'),
        sessions: z
          .object({
            idleTimeoutSeconds: seconds(
              'A sign-in session not used for this long ends (ASVS 7.3.1). Its absolute lifetime is `ttl.session`.',
            ),
            maxConcurrent: z
              .number()
              .int()
              .min(0)
              .max(1000)
              .describe('Most sessions one user may have at once (0: no limit).'),
            onLimit: z
              .enum(['oldest', 'refuse'])
              .describe(
                "At `maxConcurrent`: `oldest` ends the user's oldest session to make room, `refuse` refuses the new sign-in.",
              ),
          })
          .strict()
          .describe('Sign-in sessions'),
        logout: z
          .object({
            revokeOfflineTokens: z
              .boolean()
              .describe(
                'Signing out of everything also revokes refresh tokens issued with `offline_access`, which otherwise outlive the session (OIDC Core §11). Tokens bound to the session are always revoked.',
              ),
          })
          .strict()
          .describe('Logout'),
        backchannelLogout: z
          .object({
            attempts: z
              .number()
              .int()
              .min(1)
              .max(10)
              .describe(
                'Deliveries tried per logout token, the first included; failed ones (network errors, 408, 429, 5xx) are retried in the background.',
              ),
            retryDelayMs: z
              .number()
              .int()
              .min(10)
              .max(600_000)
              .describe('Wait before the first retry; doubles for each further one.'),
            allowPrivateNetworks: z
              .boolean()
              .describe(
                'Deliver logout tokens to private, loopback and link-local addresses, which are refused by default against server-side request forgery. Turn on when relying parties live on an internal network.',
              ),
          })
          .strict()
          .describe('Back-channel logout delivery'),
        refreshTokenReuseGraceSeconds: z
          .number()
          .int()
          .min(0)
          .max(60)
          .describe(
            'For this long after a refresh, the same request with the just-rotated refresh token (same client authentication and parameters, no DPoP) gets the same new tokens instead of revoking the grant as a reuse, so a double submit does not log the user out (RFC 9700 §4.14.2). Later reuse still revokes the grant. 0 turns the window off.',
          ),
      })
      .strict()
      .describe('Security limits'),
    events: z
      .object({
        retentionDays: z
          .number()
          .int()
          .min(1)
          .max(3650)
          .describe(
            'Security events (sign-ins, lockouts, logouts, revocations, changes) are kept this many days, then deleted by the store sweeper.',
          ),
      })
      .strict()
      .describe('Security events'),
    cache: z
      .object({
        introspection: z
          .object({
            enabled: z
              .boolean()
              .describe(
                "Remember the engine's active answers to introspection (RFC 7662) per caller, token and credential, and answer a repeated call from memory until the token expires or a change names it (docs/performance.md, 'Caches').",
              ),
            maxEntries: z
              .number()
              .int()
              .min(1)
              .max(10_000_000)
              .describe(
                'At most this many remembered introspection answers per process (about 1.1 KB each, `npm run bench:cache`); the least recently used goes first.',
              ),
          })
          .strict()
          .describe('Introspection answer cache'),
        clients: z
          .object({
            maxEntries: z
              .number()
              .int()
              .min(1)
              .max(1_000_000)
              .describe(
                "At most this many clients' decrypted metadata kept in memory per process (read on every token request; dropped on any client change, within cache.invalidationBoundMs everywhere).",
              ),
          })
          .strict()
          .describe('Client cache'),
        invalidationBoundMs: z
          .number()
          .int()
          .min(100)
          .max(60_000)
          .describe(
            "Milliseconds within which a revocation, logout or client change made by any process reaches every process's caches. Each process polls the store at a quarter of it; a process that cannot poll in time stops answering from its caches until it can.",
          ),
        redisUrl: z
          .string()
          .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
          .optional()
          .describe(
            'Optional Redis tier (redis:// or rediss://, credentials in the URL): brute-force and client-authentication counters shared by every process and host, and invalidations carried by pub/sub instead of the next poll. Unset, everything runs on the store alone. Redis never holds the only copy of anything: while it is unreachable the store takes over and `/readyz` says `cache: degraded`.',
          ),
      })
      .strict()
      .describe('Caches'),
    email: z
      .object({
        transport: z
          .enum(['smtp', 'log'])
          .describe(
            '`smtp`: messages go to `email.smtpUrl`. `log`: nothing is sent; each message (links included) is written to the log, for development only.',
          ),
        smtpUrl: z
          .string()
          .regex(/^smtps?:\/\/[^\s]+$/, 'expected smtp://[user:password@]host[:port] or smtps://…')
          .optional()
          .describe(
            'The SMTP server, as `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). Holds a secret: set it through the environment.',
          ),
        from: z
          .string()
          .min(3)
          .max(254)
          .describe('The `From` of every message, e.g. `Portcullis <no-reply@example.com>`.'),
        requireTls: z
          .boolean()
          .describe(
            'With `smtp://`: refuse to send unless the server upgrades to TLS with STARTTLS (RFC 3207), so messages and SMTP credentials never cross the network in clear.',
          ),
        tlsRejectUnauthorized: z
          .boolean()
          .describe(
            "Check the SMTP server's certificate. Turn off only for a local mail catcher with a self-signed certificate.",
          ),
        attempts: z
          .number()
          .int()
          .min(1)
          .max(10)
          .describe(
            'Deliveries tried per message, the first included; failures are retried in the background with doubling delays, then logged and counted (`portcullis_emails_total{outcome="failed"}`).',
          ),
        retryDelayMs: z
          .number()
          .int()
          .min(10)
          .max(600_000)
          .describe('Wait before the first retry; doubles for each further one.'),
      })
      .strict()
      .describe('Email delivery'),
    account: z
      .object({
        selfService: z
          .boolean()
          .describe(
            "The account centre at `/account` and `/forgot-password`: people manage their profile, password, sessions, connected apps and data themselves (docs/account.md). Off: those pages answer 404; links sent by email (an admin's reset link, invitations, confirmations) still work.",
          ),
        selfDelete: z
          .boolean()
          .describe(
            'Users may delete their own account from `/account` (GDPR Art. 17). Off: only admins can (`portcullis user delete`).',
          ),
        resetTokenTtlSeconds: seconds(
          'How long a password-reset link works (OWASP Forgot Password Cheat Sheet: short-lived). Each link works once.',
        ),
        verificationTokenTtlSeconds: seconds(
          'How long an email-verification or email-change link works.',
        ),
        invitationTtlSeconds: seconds(
          'How long an invitation link (an admin-created user choosing their own password) works.',
        ),
        resetMaxPerAddress: z
          .number()
          .int()
          .min(1)
          .max(100)
          .describe(
            'Reset or verification emails sent to one address per window; further requests get the same answer but send nothing.',
          ),
        resetMaxPerNetwork: z
          .number()
          .int()
          .min(1)
          .max(100_000)
          .describe(
            'Forgot-password requests from one address (IPv6: one /64) per window before further ones are refused with 429.',
          ),
        resetWindowSeconds: seconds('The window of both forgot-password limits.'),
        newDeviceAlerts: z
          .boolean()
          .describe(
            'Email "new sign-in to your account" when an account signs in from a browser it has not used before (a long-lived HttpOnly device cookie).',
          ),
        recentAuthSeconds: seconds(
          'Sensitive account actions (email and password change, deleting the account) also ask for the current password unless the user signed in this recently.',
        ),
      })
      .strict()
      .describe('Account centre and lifecycle'),
    outbox: z
      .object({
        pollIntervalMs: z
          .number()
          .int()
          .min(50)
          .max(60_000)
          .describe(
            'How often each server process looks for due deliveries (back-channel logout tokens, webhooks) in the store outbox. Shorter delivers retries sooner; each look is one indexed query.',
          ),
        leaseSeconds: z
          .number()
          .int()
          .min(15)
          .max(3600)
          .describe(
            'A process that takes a delivery holds it this long; if it dies meanwhile, another process takes it once the lease ends. Longer than any single attempt (at most 10 s).',
          ),
        batchSize: z
          .number()
          .int()
          .min(1)
          .max(100)
          .describe('Deliveries one process takes per look, attempted in parallel.'),
        maxRetryDelaySeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .describe(
            'Upper bound of the doubling wait between attempts, for every kind of delivery.',
          ),
      })
      .strict()
      .describe('Outbound deliveries (outbox)'),
    webhooks: z
      .object({
        attempts: z
          .number()
          .int()
          .min(1)
          .max(30)
          .describe(
            'Deliveries tried per webhook message, the first included; then it becomes a dead letter an admin can retry. Network errors, timeouts, 408, 429 and 5xx are retried; other answers are final.',
          ),
        retryDelayMs: z
          .number()
          .int()
          .min(10)
          .max(3_600_000)
          .describe('Wait before the first retry; doubles for each further one.'),
        allowPrivateNetworks: z
          .boolean()
          .describe(
            'Deliver webhooks to private, loopback and link-local addresses, refused by default against server-side request forgery (the rule back-channel logout uses). Turn on when receivers live on an internal network.',
          ),
      })
      .strict()
      .describe('Webhooks'),
    console: z
      .object({
        enabled: z
          .boolean()
          .describe(
            'The admin console at /console, signed in through this server itself (an internal client with code + PKCE). Off: /console answers 404.',
          ),
        admins: z
          .array(z.string().min(1).max(64))
          .max(100)
          .describe(
            'Usernames allowed into the console whatever their roles: the bootstrap, before any role is given (docs/console.md). Anyone neither listed nor holding one of `console.adminRoles` who signs in gets 403 and sees nothing.',
          ),
        adminRoles: z
          .array(
            z
              .string()
              .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/)
              .max(64),
          )
          .max(20)
          .describe(
            'Roles (RBAC, docs/rbac.md) whose holders may use the console, directly or through a group; checked at sign-in and on every console request, so taking the role away shuts the console on the next click. Empty: only `console.admins`.',
          ),
        reauthSeconds: z
          .number()
          .int()
          .min(0)
          .max(3600)
          .describe(
            'Dangerous actions in the console (deleting, rotating a secret or the signing keys, pruning keys, resetting second factors, revoking, disabling a user, setting a password, ending sessions; docs/console.md) need a sign-in at most this old; older, the admin signs in again (OIDC max_age).',
          ),
        sessionSeconds: z
          .number()
          .int()
          .min(60)
          .max(86_400)
          .describe('A console session ends this long after its sign-in.'),
      })
      .strict()
      .describe('Admin console'),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const problem of crossFieldProblems(c)) ctx.addIssue({ code: 'custom', ...problem });
  });

type Tree = Record<string, unknown>;
const at = (tree: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Tree)[key] : undefined),
    tree,
  );

/**
 * Rules that relate several keys. Written against the raw (possibly invalid) tree, so
 * `loadConfig` can report them together with type errors elsewhere: an operator sees every
 * problem in one go, not one per restart.
 */
export function crossFieldProblems(c: unknown): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const production = at(c, 'env') === 'production';
  const backend = at(c, 'store', 'backend');
  if (backend === 'mongodb' && !at(c, 'store', 'mongodb', 'uri')) {
    problems.push({
      path: ['store', 'mongodb', 'uri'],
      message: 'required when store.backend is mongodb',
    });
  }
  const cookieKeys = at(c, 'secrets', 'cookieKeys');
  if (production && (!Array.isArray(cookieKeys) || cookieKeys.length === 0)) {
    problems.push({
      path: ['secrets', 'cookieKeys'],
      message:
        'required in production (comma-separated random strings of 32+ characters, e.g. from `openssl rand -base64 48`)',
    });
  }
  if (at(c, 'metrics', 'onMainPort') === true && !at(c, 'secrets', 'metricsToken')) {
    problems.push({
      path: ['metrics', 'onMainPort'],
      message:
        'needs METRICS_TOKEN: metrics on the public port are answered only to a bearer of that token',
    });
  }
  // Each process would have its own copy of a memory store: sessions, codes and keys made by
  // one worker would be unknown to the others.
  const workers = at(c, 'server', 'workers');
  if (backend === 'memory' && workers !== undefined && workers !== 1) {
    problems.push({
      path: ['server', 'workers'],
      message:
        'the memory store cannot be shared between processes: use WORKERS=1, or STORE=sqlite or mongodb',
    });
  }
  const issuer = at(c, 'server', 'issuer');
  if (production && (issuer === undefined || issuer === '')) {
    problems.push({
      path: ['server', 'issuer'],
      message:
        'required in production: the public https URL relying parties use (the development default is http://localhost)',
    });
  }
  if (production && typeof issuer === 'string' && issuer.startsWith('http:')) {
    problems.push({
      path: ['server', 'issuer'],
      message:
        'must be https in production (RFC 9700 §2.6: authorization responses must not travel in clear)',
    });
  }
  if (at(c, 'email', 'transport') === 'smtp' && !at(c, 'email', 'smtpUrl')) {
    problems.push({
      path: ['email', 'smtpUrl'],
      message: 'required when email.transport is smtp (SMTP_URL=smtp://user:password@host:587)',
    });
  }
  const algorithms = at(c, 'keys', 'algorithms');
  const idTokenAlg = at(c, 'oidc', 'idTokenSigningAlg');
  if (
    Array.isArray(algorithms) &&
    typeof idTokenAlg === 'string' &&
    !algorithms.includes(idTokenAlg)
  ) {
    problems.push({
      path: ['oidc', 'idTokenSigningAlg'],
      message: `must be one of keys.algorithms (${algorithms.join(', ')}): ID tokens are signed with a stored key of that algorithm`,
    });
  }
  return problems;
}

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** Validated configuration with every derived value resolved; deeply frozen at load. */
export type Config = Omit<Parsed, 'server'> & {
  server: Omit<Parsed['server'], 'issuer'> & { issuer: string };
};
