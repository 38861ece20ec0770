// The generated sections of the docs (docs/configuration.md, docs/cli.md): written by
// `npm run config:docs`, compared with what the code generates by test/unit/readme.test.ts.

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` of `file`'s `text`. */
export function replaceSection(
  text: string,
  name: string,
  body: string,
  file = 'the file',
): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the ${start} / ${end} markers`);
  return `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`;
}

/** The text between the markers, without the surrounding newlines. */
export function readSection(text: string, name: string): string | undefined {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return text
    .slice(from + start.length, to)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}
