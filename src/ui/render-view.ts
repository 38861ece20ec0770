import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { TemplateFunction } from 'ejs';
import { siteLocals } from './site-locals.ts';
import { PAGE_NAMES, TEMPLATE_CONTRACT_VERSION } from './template-contract.ts';
import type { PageLocals, PageName, SiteLocals } from './template-contract.ts';

/** Renders one page, typed by page: each view only accepts its own view-model's locals. */
export type ViewRenderer = <P extends PageName>(view: P, locals: PageLocals[P]) => Promise<string>;

export interface ViewRendererOptions {
  /** Folder holding `_layout.ejs`, one `<page>.ejs` per page and `partials/`. */
  viewsDir: string;
  /** Compile each template once and keep it (production); off re-reads files on every render (development). */
  cache: boolean;
  /**
   * `ui.templatesDir`: a folder of custom templates. A template found there replaces ours of the
   * same name; so does a partial included as `partials/<name>`. Checked when the renderer is
   * built (`checkTemplatesDir`).
   */
  templatesDir?: string | undefined;
  /** What every template reads as `locals.site`; our logo and stylesheet only when absent. */
  site?: SiteLocals | undefined;
}

const LAYOUT = '_layout';

/** The file a custom template folder declares its contract version in (docs/templates.md). */
export const TEMPLATE_MANIFEST = 'portcullis-templates.json';

/** A custom template folder that this version cannot use; the message says what to do. */
export class TemplateContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateContractError';
  }
}

function ejsNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ejs'))
    .map((entry) => entry.name.slice(0, -'.ejs'.length));
}

/**
 * Checks a custom template folder before the server starts, so an upgrade that changes the
 * template contract stops the start with instructions instead of breaking pages for users:
 *
 * - `portcullis-templates.json` must exist and declare `{ "contract": N }` with N equal to
 *   `TEMPLATE_CONTRACT_VERSION`;
 * - every `.ejs` file must be one we would use (a page, `_layout`, or one of our partials), so
 *   a misspelt file name is reported instead of silently never being used.
 *
 * Synchronous on purpose: it runs once while the server is composed.
 */
export function checkTemplatesDir(templatesDir: string, viewsDir: string): void {
  const where = `ui.templatesDir (${templatesDir})`;
  const guide = 'See docs/templates.md for what each template receives.';
  if (!existsSync(templatesDir) || !statSync(templatesDir).isDirectory()) {
    throw new TemplateContractError(`${where}: no such folder.`);
  }
  const manifestFile = path.join(templatesDir, TEMPLATE_MANIFEST);
  if (!existsSync(manifestFile)) {
    throw new TemplateContractError(
      `${where}: ${TEMPLATE_MANIFEST} is missing. It declares which template contract the templates were written for; this version of Portcullis uses contract ${TEMPLATE_CONTRACT_VERSION}. Check the templates against it, then create the file with {"contract": ${TEMPLATE_CONTRACT_VERSION}}. ${guide}`,
    );
  }
  let declared: unknown;
  try {
    declared = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { contract?: unknown } | null)
      ?.contract;
  } catch {
    throw new TemplateContractError(
      `${where}: ${TEMPLATE_MANIFEST} is not valid JSON; expected {"contract": ${TEMPLATE_CONTRACT_VERSION}}.`,
    );
  }
  if (typeof declared !== 'number' || !Number.isInteger(declared)) {
    throw new TemplateContractError(
      `${where}: ${TEMPLATE_MANIFEST} must declare the template contract as a whole number, e.g. {"contract": ${TEMPLATE_CONTRACT_VERSION}}.`,
    );
  }
  if (declared !== TEMPLATE_CONTRACT_VERSION) {
    throw new TemplateContractError(
      `${where}: the templates were written for template contract ${declared}, but this version of Portcullis uses contract ${TEMPLATE_CONTRACT_VERSION}. Update them as docs/templates.md describes (its changelog lists what changed), then set "contract": ${TEMPLATE_CONTRACT_VERSION} in ${TEMPLATE_MANIFEST}. Until then, unset ui.templatesDir to use the built-in templates.`,
    );
  }
  const knownPages = new Set<string>([LAYOUT, ...PAGE_NAMES]);
  const knownPartials = new Set(ejsNames(path.join(viewsDir, 'partials')));
  const unknown = [
    ...ejsNames(templatesDir)
      .filter((name) => !knownPages.has(name))
      .map((name) => `${name}.ejs`),
    ...ejsNames(path.join(templatesDir, 'partials'))
      .filter((name) => !knownPartials.has(name))
      .map((name) => `partials/${name}.ejs`),
  ];
  if (unknown.length > 0) {
    throw new TemplateContractError(
      `${where}: unknown template file(s) ${unknown.join(', ')}; templates are named after the page they replace: ${[...knownPages].map((n) => `${n}.ejs`).join(', ')}, or partials/${[...knownPartials].map((n) => `${n}.ejs`).join(', partials/')}.`,
    );
  }
}

/** Names the runtime may probe on any object (promise and JSON checks); never an error. */
const PROBED = new Set(['then', 'toJSON']);

/**
 * A read-only view of `value` in which reading a missing property throws, at any depth. The error
 * names only the property path, never a value.
 */
function strictLocals<T>(value: T, where: string): T {
  if (typeof value !== 'object' || value === null) return value;
  return new Proxy(value, {
    get(target, property, receiver) {
      if (typeof property === 'symbol' || PROBED.has(property)) {
        return Reflect.get(target, property, receiver) as unknown;
      }
      if (!(property in target)) {
        throw new TypeError(
          `template reads ${where}.${property}, which its view-model does not set`,
        );
      }
      return strictLocals(
        Reflect.get(target, property, receiver) as unknown,
        `${where}.${property}`,
      );
    },
    set() {
      return false;
    },
  });
}

/**
 * Builds the page renderer. A page is its own template, rendered first, then placed inside
 * `_layout.ejs` as `body` (EJS has no layouts of its own).
 *
 * Templates compile in strict mode (no `with`) and read everything through `locals`, which is
 * wrapped so that reading a property the page builder did not set throws instead of rendering an
 * empty string: a template and its page builder cannot drift apart silently (page builders set
 * optional values to `undefined` explicitly). View names come from the fixed `PAGE_NAMES` list,
 * never from a request, so no path is built from user input.
 */
export function createViewRenderer(options: ViewRendererOptions): ViewRenderer {
  const viewsDir = path.resolve(options.viewsDir);
  const templatesDir =
    options.templatesDir === undefined ? undefined : path.resolve(options.templatesDir);
  if (templatesDir !== undefined) checkTemplatesDir(templatesDir, viewsDir);
  // Custom folder first, ours second. Which file serves each name is decided here, once: new
  // files in the custom folder need a restart (edits to existing ones are seen with cache off).
  const folders = templatesDir === undefined ? [viewsDir] : [templatesDir, viewsDir];
  const site = options.site ?? siteLocals();
  const compiled = new Map<string, Promise<TemplateFunction>>();
  const partials = new Map<string, string>();

  /** The file for a template or partial name, from the first folder that has it. */
  function locate(relative: string): string | undefined {
    for (const folder of folders) {
      const filename = path.join(folder, relative);
      // Names come from our templates or the operator's, never from a request; still, stay inside.
      if (filename.startsWith(folder + path.sep) && existsSync(filename)) return filename;
    }
    return undefined;
  }

  const pageFiles = new Map(
    [LAYOUT, ...PAGE_NAMES].map((name) => [
      name,
      locate(`${name}.ejs`) ?? path.join(viewsDir, `${name}.ejs`),
    ]),
  );

  /**
   * `include('partials/x')` from any template, ours or custom, finds the custom partial first,
   * so an operator can replace one partial without copying the pages that use it. Other include
   * paths keep EJS's own rule (relative to the including file), which EJS resolved as `parsed`.
   */
  function includer(original: string, parsed: string): { filename: string } {
    if (!original.startsWith('partials/')) return { filename: parsed };
    const relative = original.endsWith('.ejs') ? original : `${original}.ejs`;
    let filename = options.cache ? partials.get(relative) : undefined;
    if (filename === undefined) {
      filename = locate(relative) ?? parsed;
      if (options.cache) partials.set(relative, filename);
    }
    return { filename };
  }

  async function compile(name: string): Promise<TemplateFunction> {
    const filename = pageFiles.get(name) ?? path.join(viewsDir, `${name}.ejs`);
    const source = await readFile(filename, 'utf8');
    // `filename` lets templates include partials relative to themselves; `cache` makes EJS keep
    // those partials compiled as well.
    return ejs.compile(source, {
      filename,
      strict: true,
      async: false,
      cache: options.cache,
      includer,
    });
  }

  function template(name: string): Promise<TemplateFunction> {
    if (!options.cache) return compile(name);
    let pending = compiled.get(name);
    if (pending === undefined) {
      pending = compile(name);
      compiled.set(name, pending);
      // A failed compile (a file being edited, say) is not kept: the next render tries again.
      pending.catch(() => compiled.delete(name));
    }
    return pending;
  }

  return async function renderView(view, locals) {
    if (!(PAGE_NAMES as readonly string[]).includes(view)) {
      throw new TypeError(`unknown view "${String(view)}"`);
    }
    const [page, layout] = await Promise.all([template(view), template(LAYOUT)]);
    const body = page(strictLocals({ ...locals, site }, 'locals'));
    return layout(strictLocals({ ...locals, site, body }, 'locals'));
  };
}
