import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs, { type TemplateFunction } from 'ejs';
import type { ConsolePage } from './console-view-model.ts';

/**
 * Renders the console's one template (views/console/page.ejs) from a `ConsolePage`. Strict EJS
 * (no `with`), every value escaped with `<%= %>`; compiled once unless `cache` is off.
 */
export function createConsoleRenderer(options: { viewsDir: string; cache: boolean }) {
  const file = path.join(options.viewsDir, 'console', 'page.ejs');
  let compiled: Promise<TemplateFunction> | undefined;
  const compile = async () =>
    ejs.compile(await readFile(file, 'utf8'), { filename: file, strict: true, async: false });
  return async function renderConsole(page: ConsolePage): Promise<string> {
    const template = options.cache ? (compiled ??= compile()) : compile();
    return (await template)({ ...page });
  };
}

export type ConsoleRenderer = ReturnType<typeof createConsoleRenderer>;
