/**
 * `npm run bench`: Portcullis (one process per store) beside a stock oidc-provider (its own
 * process, in-memory adapter), the same scenarios against both, alternating, several rounds;
 * prints a table per store with the ratio Portcullis/stock and writes everything as JSON to
 * bench/results/. See docs/performance.md for what each scenario measures and how to read it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/load-config.ts';
import { parseBenchOptions, USAGE } from './bench-options.ts';
import { createFixtures, type BenchTtl, type ServerSpec } from './bench-fixtures.ts';
import { log, mb, type StoreResult } from './bench-results.ts';
import { planPinning, type Pinning } from './cpu-pinning.ts';
import type { ServerName } from './format-table.ts';
import { printReport } from './print-report.ts';
import { canSampleProcesses, readRssMb } from './process-sampler.ts';
import { runScenario, runSoak, soakWarmup, unavailableReason } from './run-scenario.ts';
import { scenarioNamed } from './scenarios.ts';
import {
  calibrateArgon2,
  freePort,
  startServerProcess,
  type ServerProcess,
} from './server-process.ts';
import { openStoreColumn } from './store-columns.ts';

const USERS = 32;
/** argon2id verifications timed on the server core, for the sign-in floor. */
const ARGON2_CALIBRATION_ROUNDS = 20;

/** A timestamp usable in file names. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

function providerVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../node_modules/oidc-provider/package.json', import.meta.url), 'utf8'),
    ) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Token lifetimes and algorithms as Portcullis resolves them in `test` mode: both sides get them. */
function portcullisDefaults(): { ttl: BenchTtl; algorithms: string[]; idTokenSigningAlg: string } {
  const loaded = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '1',
    ISSUER: 'http://127.0.0.1:1',
  });
  if (!loaded.ok) throw new Error(`configuration invalid: ${loaded.errors.join('; ')}`);
  return {
    ttl: { ...loaded.config.ttl },
    algorithms: [...loaded.config.keys.algorithms],
    idTokenSigningAlg: loaded.config.oidc.idTokenSigningAlg,
  };
}

async function startServer(
  name: ServerName,
  spec: Omit<ServerSpec, 'port' | 'issuer'>,
  pinning: Pinning,
  nodeOptions: readonly string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const script = new URL(
    name === 'portcullis' ? './portcullis-server.ts' : './stock-provider.ts',
    import.meta.url,
  );
  return startServerProcess(
    name,
    script,
    { ...spec, port, issuer: `http://127.0.0.1:${port}` },
    pinning,
    nodeOptions,
  );
}

function sameTtl(a: BenchTtl, b: BenchTtl | undefined): boolean {
  return b !== undefined && (Object.keys(a) as (keyof BenchTtl)[]).every((k) => a[k] === b[k]);
}

async function main(): Promise<number> {
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error}\n\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  if (options.help) {
    log(USAGE);
    return 0;
  }
  if (!canSampleProcesses())
    log('note: no /proc on this machine: server CPU and RSS columns will read n/a');

  // Counted before pinning: afterwards this process may use only its own core.
  const cores = availableParallelism();
  const pinning = planPinning(options.pin);
  const startedAt = new Date();
  const { ttl, algorithms, idTokenSigningAlg } = portcullisDefaults();
  const fixtures = createFixtures(USERS);
  const base = { fixtures, ttl, algorithms, idTokenSigningAlg, logLevel: options.logLevel };
  const mongoUri = process.env['MONGODB_URI'] || undefined;

  log(
    `Portcullis vs stock oidc-provider ${providerVersion()} on Node ${process.version}, ${cores} cores (${cpus()[0]?.model ?? 'unknown CPU'})`,
  );
  const loadAverageAtStart = loadavg();
  log(
    `load average at start: ${loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}; ${pinning.description}`,
  );
  log(
    options.soak === undefined
      ? `${options.rounds} rounds × ${options.duration} s per run (+ ${options.warmup} s warm-up), ${options.connections} connections, ${options.signinConcurrency} users signing in at once`
      : `memory check: ${options.soak} s per scenario and server (after ${soakWarmup(options)} s warm-up), RSS sampled every second`,
  );

  const argon2VerifyMs = await calibrateArgon2(pinning, ARGON2_CALIBRATION_ROUNDS);
  const profileDir = fileURLToPath(
    new URL(`./results/profiles-${stamp(startedAt)}/`, import.meta.url),
  );
  /** `--profile`: V8 writes the profile when the process exits, named after the server and store. */
  const profileOptions = (name: string): string[] =>
    options.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
      : [];
  if (options.profile)
    log(`CPU profiles of the Portcullis and stock processes go to ${profileDir}`);
  // The stock side is profiled too, so both profiles of one run can be compared line by line.
  const stock = await startServer('stock', base, pinning, profileOptions('stock'));
  const stockIdleRssMb = readRssMb(stock.pid);
  log(
    `stock oidc-provider: pid ${stock.pid}, ${stock.ready.url}, idle RSS ${mb(stockIdleRssMb)}; one argon2id verify costs ${argon2VerifyMs.toFixed(1)} ms CPU`,
  );

  const stores: StoreResult[] = [];
  let failed = false;
  try {
    for (const store of options.stores) {
      const opened = await openStoreColumn(store, pinning, mongoUri);
      if (!opened.ok) {
        log(`\n${store}: skipped (${opened.reason})`);
        stores.push({ store, skipped: opened.reason, scenarios: [], soak: [] });
        if (options.storesExplicit) failed = true;
        continue;
      }
      const { column } = opened;
      const result: StoreResult = {
        store,
        description: column.description,
        scenarios: [],
        soak: [],
      };
      stores.push(result);
      let ours: ServerProcess | undefined;
      try {
        ours = await startServer(
          'portcullis',
          { ...base, store: column.store },
          pinning,
          profileOptions(`portcullis-${store}`),
        );
        result.portcullisIdleRssMb = readRssMb(ours.pid);
        log(
          `\n${store}: ${column.description}; Portcullis pid ${ours.pid}, ${ours.ready.url}, idle RSS ${mb(result.portcullisIdleRssMb)}`,
        );
        if (!sameTtl(ttl, ours.ready.ttl) || ours.ready.algorithms?.join() !== algorithms.join()) {
          log(
            '  WARNING: Portcullis resolved other token lifetimes or algorithms than the stock side was given',
          );
        }
        const servers = { portcullis: ours, stock };
        for (const name of options.scenarios) {
          const scenario = scenarioNamed(name);
          if (options.soak === undefined)
            result.scenarios.push(
              await runScenario(scenario, servers, fixtures, options, column.databasePid),
            );
          else
            result.soak.push(
              ...(await runSoak(scenario, servers, fixtures, options, options.soak)),
            );
        }
      } catch (err) {
        result.skipped = unavailableReason(err);
        failed = true;
        log(`${store}: ${result.skipped}`);
      } finally {
        await ours?.stop();
        await column.close();
      }
    }
  } finally {
    await stock.stop();
  }

  const checks = printReport(stores, options, pinning, argon2VerifyMs);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      cores,
      cpu: cpus()[0]?.model,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg(),
      node: process.version,
      oidcProvider: providerVersion(),
      pinning: {
        enabled: pinning.enabled,
        serverCpu: pinning.serverCpu,
        loadCpu: pinning.loadCpu,
        description: pinning.description,
      },
    },
    options,
    same: {
      ttl,
      algorithms,
      users: fixtures.users.length,
      clients: [fixtures.web.clientId, fixtures.service.clientId, fixtures.api.clientId],
      apis: Object.values(fixtures.apis).map(({ identifier, tokenFormat, signingAlg }) => ({
        identifier,
        tokenFormat,
        signingAlg,
      })),
    },
    argon2VerifyMs,
    stockIdleRssMb,
    stores,
    targets: checks,
  };
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`${stamp(startedAt)}.json`, dir);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`\nwritten: ${file.pathname}`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
