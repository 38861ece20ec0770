import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServerReady, ServerSpec } from './bench-fixtures.ts';
import type { Pinning } from './cpu-pinning.ts';
import type { FromServer, ToServer } from './server-channel.ts';

/**
 * A server (Portcullis or stock) in a child process of its own, pinned to the server core when
 * pinning is on. `taskset` execs node in place, so the pid is the server's own and its
 * /proc/<pid>/stat measures the server alone.
 */

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly ready: ServerReady;
  stop(): Promise<void>;
}

/** A port the OS just had free on loopback (a tiny race with other processes; fine here). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 10_000;

function nextMessage(child: ChildProcess, name: string, timeoutMs: number): Promise<FromServer> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      cleanup();
      const answer = message as FromServer;
      if (answer.type === 'error') reject(new Error(`${name}: ${answer.message}`));
      else resolve(answer);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${name} exited (${code ?? signal})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${name} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    function cleanup() {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startServerProcess(
  name: string,
  script: URL,
  spec: ServerSpec,
  pinning: Pinning,
  nodeOptions: readonly string[] = [],
): Promise<ServerProcess> {
  const { command, args } = pinning.serverCommand(process.execPath, [
    '--disable-warning=ExperimentalWarning',
    ...nodeOptions,
    fileURLToPath(script),
  ]);
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // A benchmark that dies must not leave servers behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const ask = async (message: ToServer, timeoutMs: number): Promise<FromServer> => {
    const answer = nextMessage(child, name, timeoutMs);
    child.send(message);
    return answer;
  };

  try {
    const hello = await nextMessage(child, name, START_TIMEOUT_MS);
    if (hello.type !== 'hello') throw new Error(`${name}: unexpected ${hello.type}`);
    const ready = await ask({ type: 'start', spec }, START_TIMEOUT_MS);
    if (ready.type !== 'ready') throw new Error(`${name}: unexpected ${ready.type}`);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`${name} has no pid`);
    return {
      name,
      pid,
      ready: ready.ready,
      async stop() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.send({ type: 'stop' } satisfies ToServer);
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
        process.removeListener('exit', killOnExit);
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw err;
  }
}

/**
 * The CPU time of one argon2id verification with the servers' parameters, measured in a
 * short-lived process on the server core (so the servers' memory is not touched by it).
 */
export async function calibrateArgon2(pinning: Pinning, iterations: number): Promise<number> {
  const script = fileURLToPath(new URL('./calibrate-argon2.ts', import.meta.url));
  const { command, args } = pinning.serverCommand(process.execPath, [
    '--disable-warning=ExperimentalWarning',
    script,
    String(iterations),
  ]);
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(command, args, { encoding: 'utf8', timeout: START_TIMEOUT_MS }, (err, out) =>
      err ? reject(err) : resolve(out),
    ),
  );
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms) || ms <= 0)
    throw new Error(`argon2id calibration printed ${stdout.slice(0, 80)}`);
  return ms;
}
