// Regenerates the generated references (`npm run config:docs`): the configuration table (from the
// config schema) in docs/configuration.md and the CLI reference (from the command specs) in
// docs/cli.md. test/unit/readme.test.ts fails when either is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable } from '../src/config/config-table.ts';
import { renderCliReference } from '../src/cli/cli-reference.ts';
import { replaceSection } from '../src/config/readme-sections.ts';

const targets = [
  { file: 'docs/configuration.md', section: 'config-table', render: renderConfigTable },
  { file: 'docs/cli.md', section: 'cli-reference', render: renderCliReference },
];
for (const { file, section, render } of targets) {
  const url = new URL(`../${file}`, import.meta.url);
  writeFileSync(url, replaceSection(readFileSync(url, 'utf8'), section, render(), file));
  console.log(`${file}: ${section} updated`);
}
