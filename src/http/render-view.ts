import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { TemplateFunction } from 'ejs';
import { PAGE_NAMES } from '../interactions/view-models.ts';
import type { PageLocals, PageName } from '../interactions/view-models.ts';

/** Renders one page, typed by page: each view only accepts its own view-model's locals. */
export type ViewRenderer = <P extends PageName>(view: P, locals: PageLocals[P]) => Promise<string>;

export interface ViewRendererOptions {
  /** Folder holding `_layout.ejs`, one `<page>.ejs` per page and `partials/`. */
  viewsDir: string;
  /** Compile each template once and keep it (production); off re-reads files on every render (development). */
  cache: boolean;
}

const LAYOUT = '_layout';

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
 * wrapped so that reading a property the view-model did not set throws instead of rendering an
 * empty string: a template and its view-model cannot drift apart silently (view-models set
 * optional values to `undefined` explicitly). View names come from the fixed `PAGE_NAMES` list,
 * never from a request, so no path is built from user input.
 */
export function createViewRenderer(options: ViewRendererOptions): ViewRenderer {
  const viewsDir = path.resolve(options.viewsDir);
  const compiled = new Map<string, Promise<TemplateFunction>>();

  async function compile(name: string): Promise<TemplateFunction> {
    const filename = path.join(viewsDir, `${name}.ejs`);
    const source = await readFile(filename, 'utf8');
    // `filename` lets templates include partials relative to themselves; `cache` makes EJS keep
    // those partials compiled as well.
    return ejs.compile(source, {
      filename,
      strict: true,
      async: false,
      cache: options.cache,
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
    const body = page(strictLocals(locals, 'locals'));
    return layout(strictLocals({ ...locals, body }, 'locals'));
  };
}
