import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderConfigTable } from '../../src/config/config-table.ts';
import { renderCliReference } from '../../src/cli/cli-reference.ts';
import { readSection } from '../../src/config/readme-sections.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const readme = read('README.md');

describe('README', () => {
  it('starts with the two commands a newcomer needs: install+start and test', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/npm ci && npm start/);
    expect(firstBlock).toMatch(/npm test/);
    expect(readme.indexOf('```sh')).toBeLessThan(200);
  });

  it('points to the generated references instead of holding them', () => {
    expect(readme).toContain('](docs/configuration.md)');
    expect(readme).toContain('](docs/cli.md)');
    expect(readSection(readme, 'config-table')).toBeUndefined();
    expect(readSection(readme, 'cli-reference')).toBeUndefined();
  });
});

describe('generated references (run `npm run config:docs` after changing them)', () => {
  it('docs/configuration.md has a configuration table that matches the schema', () => {
    expect(readSection(read('docs/configuration.md'), 'config-table')).toBe(renderConfigTable());
  });

  it('docs/cli.md has a CLI reference that matches the command specs', () => {
    expect(readSection(read('docs/cli.md'), 'cli-reference')).toBe(renderCliReference());
  });
});
