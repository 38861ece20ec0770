import { parseArgs } from 'node:util';

/** The command line of `npm run bench` (pure; test/unit/bench-options.test.ts). */

export const SCENARIOS = [
  'cc-opaque',
  'cc-jwt-es256',
  'cc-jwt-rs256',
  'introspect',
  'refresh',
  'signin',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const STORES = ['sqlite', 'memory', 'mongodb'] as const;
export type StoreName = (typeof STORES)[number];

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info'] as const;

export interface BenchOptions {
  rounds: number;
  /** Seconds measured per run. */
  duration: number;
  /** Seconds of unmeasured load before each run. */
  warmup: number;
  /** autocannon connections per run. */
  connections: number;
  /** Virtual users signing in at once in the `signin` scenario. */
  signinConcurrency: number;
  scenarios: ScenarioName[];
  stores: StoreName[];
  /** Whether `--stores` was given: a store asked for by name that cannot run is an error. */
  storesExplicit: boolean;
  /** Seconds of the memory check per scenario and server; undefined: the normal rounds. */
  soak: number | undefined;
  /** Portcullis's log level (stock logs nothing); `info` adds the cost of request logging. */
  logLevel: (typeof LOG_LEVELS)[number];
  /** Pin servers and load generator to separate cores when possible. */
  pin: boolean;
  /** Write a V8 CPU profile of each Portcullis process (`node --cpu-prof`) to bench/results/. */
  profile: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Runs each scenario against Portcullis (per store) and a stock oidc-provider, alternating, and
prints requests/s, p50/p99, errors, server CPU/RSS and the ratio Portcullis/stock.

  --rounds N              rounds per scenario and store (default 3)
  --duration S            measured seconds per run (default 10)
  --warmup S              unmeasured seconds of load before each run (default 2)
  --connections N         HTTP connections of the load generator (default 16)
  --signin-concurrency N  virtual users signing in at once (default 8)
  --scenarios a,b         any of ${SCENARIOS.join(', ')} (default all)
  --stores a,b            any of ${STORES.join(', ')} (default all; mongodb only when
                          MONGODB_URI is set or a FerretDB binary is found)
  --soak S                memory check instead of the rounds: each scenario S seconds per
                          server, RSS sampled every second; prints the trend (MB/min) and max
  --log-level L           Portcullis log level: ${LOG_LEVELS.join(', ')} (default silent)
  --no-pin                do not pin servers and load generator to separate cores
  --profile               write a CPU profile of each Portcullis process (node --cpu-prof)
                          to bench/results/profiles-<time>/ (open it in Chrome DevTools)
  --help                  this text
`;

export type ParsedOptions = { ok: true; options: BenchOptions } | { ok: false; error: string };

function positive(
  name: string,
  raw: string | undefined,
  fallback: number,
  min = 1,
): number | string {
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < min)
    return `--${name} must be a number of at least ${min}, got "${raw}"`;
  return Number(raw);
}

function list<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
): T[] | string {
  if (raw === undefined) return [...allowed];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length > 0)
    return `--${name}: unknown ${unknown.join(', ')} (known: ${allowed.join(', ')})`;
  if (items.length === 0) return `--${name} names nothing`;
  // In the order given, without repeats.
  return [...new Set(items)] as T[];
}

export function parseBenchOptions(argv: readonly string[]): ParsedOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        rounds: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        'signin-concurrency': { type: 'string' },
        scenarios: { type: 'string' },
        stores: { type: 'string' },
        soak: { type: 'string' },
        'log-level': { type: 'string' },
        'no-pin': { type: 'boolean' },
        profile: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const str = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
  const rounds = positive('rounds', str('rounds'), 3);
  const duration = positive('duration', str('duration'), 10);
  const warmup = positive('warmup', str('warmup'), 2, 0);
  const connections = positive('connections', str('connections'), 16);
  const signinConcurrency = positive('signin-concurrency', str('signin-concurrency'), 8);
  const soak = str('soak') === undefined ? undefined : positive('soak', str('soak'), 60, 5);
  const scenarios = list('scenarios', str('scenarios'), SCENARIOS);
  const stores = list('stores', str('stores'), STORES);
  const logLevel = str('log-level') ?? 'silent';
  for (const value of [
    rounds,
    duration,
    warmup,
    connections,
    signinConcurrency,
    soak,
    scenarios,
    stores,
  ]) {
    if (typeof value === 'string') return { ok: false, error: value };
  }
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    return { ok: false, error: `--log-level must be one of ${LOG_LEVELS.join(', ')}` };
  }
  return {
    ok: true,
    options: {
      rounds: Math.trunc(rounds as number),
      duration: duration as number,
      warmup: warmup as number,
      connections: Math.trunc(connections as number),
      signinConcurrency: Math.trunc(signinConcurrency as number),
      scenarios: scenarios as ScenarioName[],
      stores: stores as StoreName[],
      storesExplicit: str('stores') !== undefined,
      soak: soak as number | undefined,
      logLevel: logLevel as BenchOptions['logLevel'],
      pin: values['no-pin'] !== true,
      profile: values.profile === true,
      help: values.help === true,
    },
  };
}
