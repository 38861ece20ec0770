import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that may hold secrets anywhere in a log record. pino replaces them before the line is
 * written (also before pretty-printing), so a careless `log.info({ req })` cannot leak a
 * password, token, cookie or key (ASVS 16.2.5). `*` matches one level: `{ params: { code } }`
 * is redacted, as is `{ code }`.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'client_secret',
  '*.client_secret',
  'clientSecret',
  '*.clientSecret',
  'client_assertion',
  '*.client_assertion',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'id_token',
  '*.id_token',
  'logout_token',
  '*.logout_token',
  'id_token_hint',
  '*.id_token_hint',
  'code',
  '*.code',
  'code_verifier',
  '*.code_verifier',
  'cookieKeys',
  '*.cookieKeys',
  'metricsToken',
  '*.metricsToken',
  'privateJwk',
  '*.privateJwk',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
];

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * Pretty output is for a person at a terminal in development; anything else (a container, a
 * pipe to a log shipper, production) gets one JSON object per line.
 */
export function usePrettyOutput(options: {
  format: LogFormat;
  env: string;
  isTTY: boolean;
}): boolean {
  if (options.format !== 'auto') return options.format === 'pretty';
  return options.env === 'development' && options.isTTY;
}

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout when omitted. Tests pass a memory stream. */
  destination?: pino.DestinationStream;
  /** Human-readable lines (pino-pretty, in this thread) instead of JSON; ignored with `destination`. */
  pretty?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? (options.pretty ? prettyStream() : undefined);
  return pino(
    {
      level: options.level,
      // The pid tells which worker process wrote a line when `server.workers` > 1.
      base: { service: 'portcullis', pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** pino-pretty as a stream in this thread; loaded only when asked for (development). */
function prettyStream(): pino.DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'service,hostname' });
}
