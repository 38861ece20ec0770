import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = require.resolve('axe-core/axe.min.js');

export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

interface AxeResults {
  violations: {
    id: string;
    impact?: string | null;
    help: string;
    nodes: { target: unknown[] }[];
  }[];
}

/**
 * Runs axe-core on the page and returns its serious and critical violations (an empty list is
 * a pass). The page must come from a context made with `bypassCSP: true`: our CSP allows no
 * scripts, so axe could not be injected otherwise. `only` limits the run to some rules (the
 * second colour scheme needs only `color-contrast`).
 */
export async function seriousViolations(
  page: Page,
  only?: readonly string[],
): Promise<AxeFinding[]> {
  // These functions run in the page; the tests compile without the DOM library, hence globalThis.
  if (!(await page.evaluate(() => 'axe' in globalThis)))
    await page.addScriptTag({ path: AXE_SOURCE });
  const results = (await page.evaluate(
    async (rules) => {
      const page = globalThis as unknown as {
        axe: { run(context: unknown, options: object): Promise<unknown> };
        document: unknown;
      };
      const options =
        rules === null
          ? { resultTypes: ['violations'] }
          : { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] };
      return page.axe.run(page.document, options);
    },
    only === undefined ? null : [...only],
  )) as AxeResults;
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}
