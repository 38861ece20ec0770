/**
 * `npm test`'s first step: makes sure the machine has what the suites need, installing what it
 * may, so that the README's `npm test` passes on a fresh clone with nothing run before it.
 *
 *   node test/setup/test-setup.ts            every step
 *   node test/setup/test-setup.ts chromium   only the named steps
 *
 * Each step is idempotent and fast when all is there (file checks only), so a second run costs
 * milliseconds. What cannot be installed gets one line naming the command that would, and the
 * run fails (exit 1) before any suite starts: no suite is skipped for want of it.
 *
 * To add a step: write a `SetupStep` (setup-step.ts) in its own file and list it in STEPS.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromiumStep } from './chromium-step.ts';
import { ferretDbStep } from './ferretdb-step.ts';
import { pythonVenvStep } from './python-venv-step.ts';
import { redisStep } from './redis-step.ts';
import type { SetupContext, SetupStep } from './setup-step.ts';
import { debianPackages } from './system-packages.ts';

export const STEPS: readonly SetupStep[] = [ferretDbStep, chromiumStep, pythonVenvStep, redisStep];

const PREFIX = 'test-setup:';

export async function runTestSetup(names: readonly string[]): Promise<number> {
  const started = performance.now();
  const unknown = names.filter((name) => !STEPS.some((step) => step.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `${PREFIX} unknown step ${unknown.join(', ')}; steps: ${STEPS.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const context: SetupContext = {
    rootDir: fileURLToPath(new URL('../../', import.meta.url)),
    packages: debianPackages(),
    say: (line) => process.stdout.write(`${PREFIX} ${line}\n`),
  };
  const done: string[] = [];
  const missing: string[] = [];
  for (const step of STEPS.filter((s) => names.length === 0 || names.includes(s.name))) {
    const result = await step.run(context);
    if (result.status === 'missing') missing.push(result.line);
    else
      done.push(
        `${step.name} ${result.status === 'ready' ? result.detail : `skipped (${result.detail})`}`,
      );
  }
  const ms = Math.round(performance.now() - started);
  if (missing.length > 0) {
    for (const line of missing) process.stderr.write(`${PREFIX} MISSING ${line}\n`);
    process.stderr.write(
      `${PREFIX} the tests need the ${missing.length === 1 ? 'piece' : 'pieces'} above; stopping\n`,
    );
    return 1;
  }
  process.stdout.write(`${PREFIX} ready in ${String(ms)} ms: ${done.join('; ')}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runTestSetup(process.argv.slice(2));
}
