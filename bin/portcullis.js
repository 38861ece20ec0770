#!/usr/bin/env node
// The `portcullis` admin CLI. Plain JavaScript (ES2020 at most) so that an old Node reaches the
// version check and prints one line, instead of failing on TypeScript or newer syntax.
import { requireSupportedNode } from './check-node-version.js';

requireSupportedNode();

// Node 24 runs the TypeScript sources directly (type stripping).
import('../src/cli/main.ts').catch(function (err) {
  process.stderr.write('error: ' + (err && err.message ? err.message : String(err)) + '\n');
  process.exitCode = 1;
});
