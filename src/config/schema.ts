import { z } from 'zod';

/**
 * The configuration contract. Every key has a description (the README's configuration table is
 * generated from it by `npm run config:docs`); defaults live in `config/default.json` and per-mode
 * overrides in `config/<NODE_ENV>.json`; environment variables (see `env-map.ts`) override both.
 * The result is validated once at start and frozen.
 */

const seconds = (description: string) => z.number().int().positive().max(31_536_000 * 5).describe(description);

const hostname = z
  .string()
  .min(1)
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i, 'expected a host name with an optional port');

export const SIGNING_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const;

export const configSchema = z
  .object({
    env: z
      .enum(['development', 'production', 'test'])
      .describe('Run mode. `production` refuses to start without explicit secrets and serves no generated ones.'),
    server: z
      .object({
        host: z.string().min(1).describe('Interface to listen on (`0.0.0.0` for every interface, as in containers).'),
        port: z.number().int().min(0).max(65_535).describe('TCP port to listen on (`0` picks a free port).'),
        issuer: z
          .url({ protocol: /^https?$/, error: 'expected an http(s) URL without query or fragment' })
          .refine((v) => !/[?#]/.test(v), 'the issuer must not have a query or fragment (OIDC Discovery §3)')
          .optional()
          .describe('Public issuer URL, exactly as relying parties see it. Defaults to `http://localhost:<port>`.'),
        trustProxy: z
          .boolean()
          .describe(
            'Trust `X-Forwarded-Proto/-Host/-For` from a TLS-terminating proxy. Only enable when a proxy you run strips these headers from clients (RFC 9700 §4.13).',
          ),
        allowedHosts: z
          .array(hostname)
          .describe(
            'Extra `Host` header values accepted besides the issuer\'s host. Requests for any other host are refused (421) so discovery URLs cannot be poisoned.',
          ),
        bodyLimitBytes: z
          .number()
          .int()
          .min(1024)
          .max(1_048_576)
          .describe('Largest request body accepted on Portcullis\'s own routes (login, consent). Larger bodies get 413.'),
      })
      .strict()
      .describe('HTTP server'),
    store: z
      .object({
        backend: z
          .enum(['sqlite', 'memory', 'mongodb'])
          .describe('Where data lives: `sqlite` (embedded file, default), `memory` (lost on exit; tests and demos), `mongodb` (production, many hosts).'),
        dataDir: z.string().min(1).describe('Directory of the `sqlite` database file (`portcullis.db`). Created if missing.'),
        sweepIntervalSeconds: seconds('How often expired tokens, sessions and codes are deleted from the store.'),
        mongodb: z
          .object({
            uri: z
              .string()
              .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// or mongodb+srv:// connection string')
              .optional()
              .describe('MongoDB connection string; required when `store.backend` is `mongodb`.'),
            dbName: z.string().min(1).max(63).regex(/^[^/\\. "$*<>:|?]+$/, 'expected a valid MongoDB database name').describe('Database name used when the connection string names none.'),
            maxPoolSize: z.number().int().min(1).max(1000).describe('Largest number of connections per process.'),
            serverSelectionTimeoutMs: z.number().int().min(100).max(120_000).describe('How long an operation waits for a reachable server before failing with 503.'),
          })
          .strict()
          .describe('MongoDB backend'),
      })
      .strict()
      .describe('Storage'),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).describe('Least severe log level written.'),
      })
      .strict()
      .describe('Logging'),
    secrets: z
      .object({
        cookieKeys: z
          .array(z.string().min(32, 'each cookie key must be at least 32 characters'))
          .describe(
            'Keys that sign cookies, newest first (older ones still verify, so keys can be rotated). Required in production; in development they are generated once and kept in the store.',
          ),
      })
      .strict()
      .describe('Secrets (from the environment, never from files in the repository)'),
    ttl: z
      .object({
        accessToken: seconds('Lifetime of an access token, in seconds.'),
        authorizationCode: z.number().int().min(10).max(600).describe('Lifetime of an authorization code, in seconds (ASVS 10.4.3: at most 10 minutes).'),
        idToken: seconds('Lifetime of an ID token, in seconds.'),
        refreshToken: seconds('Lifetime of a refresh token, in seconds (also the absolute limit of a rotated chain).'),
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
          .describe('Signing algorithms with a key each; the first signs ID tokens by default.'),
        publishLeadSeconds: z
          .number()
          .int()
          .min(0)
          .max(31_536_000)
          .describe('After `keys rotate`, how long a new key is published in the JWKS before it signs, so clients that cache the JWKS already know it.'),
        reloadIntervalSeconds: z.number().int().min(1).max(86_400).describe('How often each process re-reads the key set from the store (to pick up rotations).'),
      })
      .strict()
      .describe('Signing keys'),
    features: z
      .object({
        introspection: z.boolean().describe('RFC 7662 token introspection, for clients marked as resource servers only.'),
        revocation: z.boolean().describe('RFC 7009 token revocation.'),
        rpInitiatedLogout: z.boolean().describe('OpenID Connect RP-Initiated Logout (`end_session_endpoint`).'),
      })
      .strict()
      .describe('Protocol features'),
    ui: z
      .object({
        productName: z.string().min(1).max(60).describe('Name shown on every page.'),
      })
      .strict()
      .describe('Pages'),
    passwords: z
      .object({
        minLength: z.number().int().min(8).max(128).describe('Shortest password accepted for new users (ASVS 6.2.1: at least 8).'),
      })
      .strict()
      .describe('Password policy'),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.store.backend === 'mongodb' && !c.store.mongodb.uri) {
      ctx.addIssue({
        code: 'custom',
        path: ['store', 'mongodb', 'uri'],
        message: 'required when store.backend is mongodb',
      });
    }
    if (c.env === 'production' && c.secrets.cookieKeys.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', 'cookieKeys'],
        message: 'required in production (comma-separated random strings of 32+ characters, e.g. from `openssl rand -base64 48`)',
      });
    }
    if (c.env === 'production' && c.server.issuer?.startsWith('http:')) {
      ctx.addIssue({
        code: 'custom',
        path: ['server', 'issuer'],
        message: 'must be https in production (RFC 9700 §2.6: authorization responses must not travel in clear)',
      });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
type Parsed = z.output<typeof configSchema>;

/** Validated configuration with every derived value resolved; deeply frozen at load. */
export type Config = Omit<Parsed, 'server'> & {
  server: Omit<Parsed['server'], 'issuer'> & { issuer: string };
};
