// Regenerates the generated sections of README.md (`npm run config:docs`): the configuration
// table (from the config schema) and the CLI reference (from the CLI's help texts).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable } from '../src/config/config-table.ts';
import { renderCliReference } from '../src/cli/cli-reference.ts';
import { replaceSection } from '../src/config/readme-sections.ts';

const README = new URL('../README.md', import.meta.url);
let text = readFileSync(README, 'utf8');
text = replaceSection(text, 'config-table', renderConfigTable());
text = replaceSection(text, 'cli-reference', renderCliReference());
writeFileSync(README, text);
console.log('README.md: configuration table and CLI reference updated');
