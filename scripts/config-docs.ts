// Regenerates the configuration table between the markers in README.md (`npm run config:docs`).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigTable } from '../src/config/config-table.ts';

const README = new URL('../README.md', import.meta.url);
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const text = readFileSync(README, 'utf8');
const from = text.indexOf(START);
const to = text.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md lacks the ${START} / ${END} markers`);
writeFileSync(README, `${text.slice(0, from + START.length)}\n${renderConfigTable()}\n${text.slice(to)}`);
console.log('README.md configuration table updated');
