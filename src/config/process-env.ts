/**
 * The process environment, read in one place for the entry points (`src/main.ts`,
 * `src/cli/main.ts`); everything else receives `env` as a parameter, so tests pass their own.
 */
export function processEnv(): Record<string, string | undefined> {
  return { ...process.env };
}
