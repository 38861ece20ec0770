import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { TemplateFunction } from 'ejs';
import type { EmailLocals, EmailName } from './template-contract.ts';

/** A rendered email: subject and both bodies (RFC 2046 multipart/alternative, text first). */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export type EmailRenderer = (locals: EmailLocals) => Promise<RenderedEmail>;

/**
 * Renders emails from `views/email/` (or an operator's `ui.templatesDir/email/`): for each
 * message, `email/<name>.<format>.ejs` when present, else `email/message.<format>.ejs`, custom
 * folder first. Strict mode as for pages; the HTML body escapes every value (`<%= %>`), the text
 * body is not HTML and escapes nothing.
 */
export function createEmailRenderer(options: {
  viewsDir: string;
  templatesDir?: string | undefined;
  cache: boolean;
}): EmailRenderer {
  const folders = [options.templatesDir, options.viewsDir]
    .filter((f): f is string => f !== undefined)
    .map((f) => path.join(path.resolve(f), 'email'));
  const compiled = new Map<string, Promise<TemplateFunction>>();

  function locate(name: EmailName, format: 'text' | 'html'): string {
    for (const file of [`${name}.${format}.ejs`, `message.${format}.ejs`]) {
      for (const folder of folders) {
        const candidate = path.join(folder, file);
        if (existsSync(candidate)) return candidate;
      }
    }
    throw new Error(`no email template for ${name} (${format})`);
  }

  async function compile(file: string, format: 'text' | 'html'): Promise<TemplateFunction> {
    const source = await readFile(file, 'utf8');
    return ejs.compile(source, {
      filename: file,
      strict: true,
      // Plain text is not HTML: nothing in it is escaped (a link's `&` must stay `&`). Values
      // are our own translated strings and checked URLs; a mail client shows text as text.
      escape: format === 'text' ? (value: unknown) => String(value) : undefined,
    });
  }

  function template(name: EmailName, format: 'text' | 'html'): Promise<TemplateFunction> {
    const file = locate(name, format);
    if (!options.cache) return compile(file, format);
    let pending = compiled.get(file + format);
    if (pending === undefined) {
      pending = compile(file, format);
      compiled.set(file + format, pending);
      pending.catch(() => compiled.delete(file + format));
    }
    return pending;
  }

  return async function renderEmail(locals) {
    const [text, html] = await Promise.all([
      template(locals.name, 'text'),
      template(locals.name, 'html'),
    ]);
    return { subject: locals.subject, text: text(locals), html: html(locals) };
  };
}
