import { createInterface } from 'node:readline';
import { Writable, type Readable } from 'node:stream';
import { AppError } from '../errors/app-error.ts';
import type { CliIo } from './cli-io.ts';

interface LineReader {
  next(): Promise<string | undefined>;
  close(): void;
}

/**
 * Lines of `input`, one at a time. Lines that arrive before anyone asks are queued, not lost
 * (readline's `question()` drops them), so two lines written at once both count.
 */
function readLines(input: Readable, terminal: boolean): LineReader {
  // On a terminal readline switches it to raw mode and echoes what is typed itself, to its
  // output: an output that discards everything is how the password stays off the screen.
  const discard = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  const rl = createInterface({
    input,
    output: terminal ? discard : undefined,
    terminal,
    crlfDelay: Infinity,
  });
  const queued: string[] = [];
  const waiting: ((line: string | undefined) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const wake = waiting.shift();
    if (wake) wake(line);
    else queued.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const wake of waiting.splice(0)) wake(undefined);
  });
  // Ctrl-C in raw mode reaches readline, not the process: treat it as the end of input.
  rl.on('SIGINT', () => rl.close());
  return {
    next() {
      const line = queued.shift();
      if (line !== undefined) return Promise.resolve(line);
      if (ended) return Promise.resolve(undefined);
      return new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      rl.close();
    },
  };
}

/**
 * A password for a user: the first line of stdin when stdin is not a terminal (scripts:
 * `printf '%s\n' "$PW" | portcullis user add alice`), otherwise typed twice at a prompt with
 * echo off. Never from argv (see `refusePasswordOption`).
 */
export async function readNewPassword(io: CliIo): Promise<string> {
  if (!io.isTTY) {
    const lines = readLines(io.stdin, false);
    try {
      const line = await lines.next();
      if (line === undefined) {
        throw new AppError('invalid_input', {
          password:
            'expected on the first line of standard input (or run in a terminal to be prompted)',
        });
      }
      return line;
    } finally {
      lines.close();
    }
  }

  const lines = readLines(io.stdin, true);
  try {
    io.stderr.write('Password: ');
    const first = await lines.next();
    io.stderr.write('\n');
    if (first === undefined) throw new Error('cancelled');
    io.stderr.write('Repeat password: ');
    const second = await lines.next();
    io.stderr.write('\n');
    if (second === undefined) throw new Error('cancelled');
    if (first !== second)
      throw new AppError('invalid_input', {
        password: 'the two entries differ; nothing was changed',
      });
    return first;
  } finally {
    lines.close();
  }
}
