import { isatty } from 'node:tty';
import { processEnv } from '../config/process-env.ts';
import { runCli } from './run-cli.ts';

// Process entry of the `portcullis` CLI (bin/portcullis.js imports it after checking Node's
// version): wires the real streams and environment into runCli.
process.exitCode = await runCli(process.argv.slice(2), {
  // A getter: process.stdin is created on first access, and only password commands need it
  // (`serve` in particular should leave the terminal alone).
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
  env: processEnv(),
  isTTY: isatty(0),
});
