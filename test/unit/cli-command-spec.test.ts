import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { CLI } from '../../src/cli/cli-commands.ts';
import type { CliIo } from '../../src/cli/cli-io.ts';
import { parseArgsOptions } from '../../src/cli/parse-command-args.ts';
import { renderCommandHelp, renderGroupHelp, renderTopHelp } from '../../src/cli/render-help.ts';
import { runCli } from '../../src/cli/run-cli.ts';

const commands = [...CLI.groups.flatMap((g) => g.commands), ...CLI.commands];

/** Runs the CLI in-process and answers its exit code and output. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: {}, isTTY: false };
  const code = await runCli(argv, io);
  return { code, stdout: out, stderr: err };
}

/** The long flags a help text offers (`--name <name>` → `name`). */
function offeredFlags(help: string): string[] {
  const options = help.split('\nOptions:\n')[1]?.split('\n\n')[0] ?? '';
  return [...options.matchAll(/^ {2}(?:-\w, | {4})--([a-z-]+)/gm)].map((m) => m[1] ?? '');
}

describe('CLI command specs', () => {
  it.each(commands.map((c) => [c.name, c] as const))(
    '%s: --help offers exactly the options its parser accepts',
    (_name, spec) => {
      expect(offeredFlags(renderCommandHelp(spec)).sort()).toEqual(
        Object.keys(parseArgsOptions(spec)).sort(),
      );
    },
  );

  it('lists every command in its group help and every group in the top help', () => {
    const top = renderTopHelp(CLI);
    for (const group of CLI.groups) {
      expect(top).toMatch(new RegExp(`^ {2}${group.name} +\\S`, 'm'));
      const help = renderGroupHelp(group);
      for (const command of group.commands) {
        const verb = command.name.slice(group.name.length + 1);
        expect(help).toMatch(new RegExp(`^ {2}${verb}( <[^>]+>)* +\\S`, 'm'));
      }
    }
    for (const command of CLI.commands)
      expect(top).toMatch(new RegExp(`^ {2}${command.name} +\\S`, 'm'));
  });

  it('prints the same help for --help as after a usage error', async () => {
    const help = await run(['client', 'add', '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    const bad = await run(['client', 'add', '--frob']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`error: unknown option --frob\n\n${help.stdout}`);
  });

  it('does not offer serve --verbose, which the server cannot honour, and refuses it with the way to get debug logs', async () => {
    const help = await run(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toContain('--verbose');
    for (const argv of [
      ['serve', '--verbose'],
      ['--verbose', 'serve'],
    ]) {
      const refused = await run(argv);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^error: serve has no --verbose: .*LOG_LEVEL=debug/);
    }
  });

  it('documents defaults and repeatable options from the spec', () => {
    const clientAdd = commands.find((c) => c.name === 'client add');
    expect(clientAdd).toBeDefined();
    const help = renderCommandHelp(clientAdd ?? commands[0]!);
    expect(help).toMatch(/^Usage: portcullis client add --name <name> \[options\]\n/);
    expect(help).toMatch(/--contact <email> +who is responsible for the client \(repeatable\)/);
    expect(help).toMatch(/--id-token-alg <alg>[\s\S]*default:\s+RS256/);
  });
});
