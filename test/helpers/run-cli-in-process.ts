import { PassThrough, Writable } from 'node:stream';
import { runCli } from '../../src/cli/run-cli.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `portcullis <argv>` in this process against the store `env` names, as a shell would run
 * it: its standard input is `stdin` (the password `user add` reads), its output captured.
 */
export async function runCliInProcess(
  argv: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sink = (write: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        write(chunk.toString());
        done();
      },
    });
  const input = new PassThrough();
  input.end(stdin);
  const code = await runCli(argv, {
    stdin: input,
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    env,
    isTTY: false,
  });
  return { code, stdout, stderr };
}
