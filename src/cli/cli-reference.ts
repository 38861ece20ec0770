import { CLI } from './cli-commands.ts';
import { renderCommandHelp, renderGroupHelp, renderTopHelp } from './render-help.ts';

/**
 * The CLI reference (docs/cli.md), generated from the command specs exactly as `--help` prints
 * them, so the two cannot disagree (a unit test compares it with the file).
 */
export function renderCliReference(): string {
  const topics: [string, string][] = [['portcullis', renderTopHelp(CLI)]];
  for (const group of CLI.groups) {
    topics.push([`portcullis ${group.name}`, renderGroupHelp(group)]);
    for (const command of group.commands)
      topics.push([`portcullis ${command.name}`, renderCommandHelp(command)]);
  }
  for (const command of CLI.commands)
    topics.push([`portcullis ${command.name}`, renderCommandHelp(command)]);
  return topics
    .map(([title, text]) => `### \`${title}\`\n\n\`\`\`text\n${text.trimEnd()}\n\`\`\``)
    .join('\n\n');
}
