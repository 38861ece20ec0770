/**
 * Starts FerretDB (a MongoDB-protocol server) on loopback with its SQLite backend in a temp
 * directory, for tests. The binary comes from `.ci/install-ferretdb.sh`, which `npm test`'s set-up
 * step (test/setup/test-setup.ts) runs when it is missing.
 *
 * It makes no outbound network calls and opens one port: telemetry off, no debug HTTP listener.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { findFerretDbBinary } from './find-ferretdb-binary.ts';

export interface FerretDb {
  /** `mongodb://127.0.0.1:<port>/`: add a database name per test file. */
  readonly uri: string;
  /** Kills the server (data stays), e.g. to test an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it answers `ping`. */
  start(): Promise<void>;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

/** How long a start may take before we give up (a cold start takes well under a second). */
const START_TIMEOUT_MS = 20_000;
/** Lines of FerretDB output kept to explain a failed start. */
const KEPT_OUTPUT_LINES = 30;

export { findFerretDbBinary };

/** A port the OS just had free on loopback (tiny race with other processes; fine for tests). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not pick a free port'));
      });
    });
  });
}

async function answersPing(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500, directConnection: true });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function startFerretDb(binary = findFerretDbBinary()): Promise<FerretDb> {
  if (binary === undefined) {
    throw new Error(
      'FerretDB binary not found: run `npm run test:setup` (it builds FerretDB) or set FERRETDB_BIN',
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'portcullis-ferretdb-'));
  const port = await freePort();
  const uri = `mongodb://127.0.0.1:${String(port)}/`;
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--listen-addr=127.0.0.1:${String(port)}`,
    `--state-dir=${dataDir}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=error',
  ];

  let child: ChildProcess | undefined;
  const output: string[] = [];
  // A test run that dies without teardown must not leave servers behind.
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const hardKill = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(hardKill);
  };

  const start = async (): Promise<void> => {
    if (child !== undefined) return;
    output.length = 0;
    const spawned = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    const keep = (chunk: Buffer): void => {
      output.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      output.splice(0, Math.max(0, output.length - KEPT_OUTPUT_LINES));
    };
    spawned.stdout?.on('data', keep);
    spawned.stderr?.on('data', keep);
    // Without a listener, a failed spawn (e.g. EACCES) would throw from an event handler.
    let spawnError: Error | undefined;
    spawned.once('error', (error) => {
      spawnError = error;
    });

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (spawnError !== undefined || spawned.exitCode !== null || spawned.signalCode !== null) {
        child = undefined;
        const why = spawnError?.message ?? String(spawned.exitCode ?? spawned.signalCode);
        throw new Error(`FerretDB exited at start (${why}):\n${output.join('\n')}`);
      }
      if (await answersPing(uri)) return;
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `FerretDB did not answer ping within ${String(START_TIMEOUT_MS)} ms:\n${output.join('\n')}`,
        );
      }
      await sleep(100);
    }
  };

  const destroy = async (): Promise<void> => {
    await stop();
    process.removeListener('exit', killOnExit);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return { uri, stop, start, destroy };
}
