import { HELP } from './help-texts.ts';

/**
 * The README's CLI reference, generated from the same help texts `--help` prints, so the two
 * cannot disagree (a unit test compares it with the README).
 */
export function renderCliReference(): string {
  return Object.entries(HELP)
    .map(([name, text]) => {
      const title = name === 'top' ? '`portcullis`' : `\`portcullis ${name}\``;
      return `### ${title}\n\n\`\`\`text\n${text.trimEnd()}\n\`\`\``;
    })
    .join('\n\n');
}
