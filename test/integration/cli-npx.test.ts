/**
 * The README's CLI form, `npx portcullis …`, as a newcomer runs it: the machine's own npm (often
 * on an older Node than the project's 24), a fresh npm cache (npx's first run in a clone links
 * the package into that cache, which is when npm checks `engines`), nothing else.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error plain JavaScript without type declarations (it must run on any Node)
import { SUPPORTED_NODE_MAJOR } from '../../bin/check-node-version.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines?: { node?: string };
  devDependencies: Record<string, string>;
};

describe('npx portcullis', () => {
  it('prints only the help: no npm warnings on stderr', () => {
    const cache = mkdtempSync(join(tmpdir(), 'portcullis-npm-cache-'));
    try {
      // `npm test` put node_modules/.bin (the project's Node 24) first on PATH; a newcomer's
      // shell has only the machine's npm and Node.
      const path = (process.env['PATH'] ?? '')
        .split(delimiter)
        .filter((dir) => !dir.includes(join('node_modules', '.bin')))
        .join(delimiter);
      const result = spawnSync('npx', ['portcullis', '--help'], {
        cwd: ROOT,
        env: { ...process.env, PATH: path, npm_config_cache: cache },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: portcullis <command> \[options\]\n/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('package.json', () => {
  // The guide's rule: engines declared, and the same major as the run-time check and the `node`
  // devDependency. npm checks `engines` against the Node npm itself runs on, so .npmrc keeps npm's
  // warnings off (loglevel=error) rather than dropping the declaration.
  it('declares Node 24 in engines, the node devDependency and the run-time check alike', () => {
    expect(pkg.engines).toEqual({
      node: `>=${SUPPORTED_NODE_MAJOR}.0.0 <${SUPPORTED_NODE_MAJOR + 1}`,
    });
    expect(/^\^?(\d+)\./.exec(pkg.devDependencies['node'] ?? '')?.[1]).toBe(
      String(SUPPORTED_NODE_MAJOR),
    );
    expect(readFileSync(join(ROOT, '.npmrc'), 'utf8')).toMatch(/^loglevel=error$/m);
  });
});
