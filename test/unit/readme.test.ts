import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { renderConfigTable } from '../../src/config/config-table.ts';
import { renderCliReference } from '../../src/cli/cli-reference.ts';
import { readSection } from '../../src/config/readme-sections.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands a newcomer needs: install+start and test', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/npm ci && npm start/);
    expect(firstBlock).toMatch(/npm test/);
    expect(readme.indexOf('```sh')).toBeLessThan(200);
  });

  it('has a configuration table that matches the schema (run `npm run config:docs` after changing it)', () => {
    expect(readSection(readme, 'config-table')).toBe(renderConfigTable());
  });

  it('has a CLI reference that matches the CLI help texts (run `npm run config:docs`)', () => {
    expect(readSection(readme, 'cli-reference')).toBe(renderCliReference());
  });
});
