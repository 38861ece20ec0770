import type { SystemPackages } from './system-packages.ts';

/** What one set-up step found or made. */
export type StepResult =
  /** Everything the step's suites need is there; `detail` says what (e.g. a path). */
  | { readonly status: 'ready'; readonly detail: string }
  /** The step does not apply here (e.g. `MONGODB_URI` names a server); `detail` says why. */
  | { readonly status: 'skipped'; readonly detail: string }
  /** It is missing and could not be installed: `line` is the one line the user reads. */
  | { readonly status: 'missing'; readonly line: string };

export interface SetupContext {
  /** The repository root (absolute). */
  readonly rootDir: string;
  readonly packages: SystemPackages;
  /** Prints one progress line (e.g. before a long install). */
  readonly say: (line: string) => void;
}

/**
 * One thing the test suites need from the machine. `run` must be idempotent and, when all is
 * already there, fast (a few file checks, no network, no install): `npm test` runs every step
 * each time.
 */
export interface SetupStep {
  readonly name: string;
  run(context: SetupContext): StepResult | Promise<StepResult>;
}
