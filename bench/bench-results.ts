import type { ScenarioName, StoreName } from './bench-options.ts';
import type { RssTrend, RunMeasure, RunSummary } from './bench-stats.ts';
import type { ServerName } from './format-table.ts';

/** What a benchmark run found, as written to bench/results/<time>.json. */

export interface MeasuredRun extends RunMeasure {
  round: number;
  outcomes: Record<string, number>;
  databaseCpuPercent?: number | undefined;
}

export interface ServerResult {
  runs: MeasuredRun[];
  summary: RunSummary | undefined;
  /** Why there are no runs (the server cannot do what the scenario measures, or it failed). */
  unavailable?: string | undefined;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  description: string;
  unit: string;
  portcullis: ServerResult;
  stock: ServerResult;
  ratio: number | undefined;
  ratioPerCpuSecond: number | undefined;
  /** Sign-ins: server CPU per sign-in, to set against one argon2id verification. */
  cpuMsPerSignIn?: { portcullis: number | undefined; stock: number | undefined };
}

export interface SoakResult {
  scenario: ScenarioName;
  server: ServerName;
  trend: RssTrend;
  perSecond: number;
  errors: number;
  samples: { t: number; mb: number }[];
  unavailable?: string;
}

export interface StoreResult {
  store: StoreName;
  skipped?: string;
  description?: string;
  /** Resident memory after start and seeding, before any load. */
  portcullisIdleRssMb?: number | undefined;
  scenarios: ScenarioResult[];
  soak: SoakResult[];
}

/** Writes a line of the report to stdout. */
export function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

export function mb(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${value.toFixed(0)} MB`;
}
