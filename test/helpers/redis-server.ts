/**
 * A real Redis for the suites that test the Redis tier: Debian's `redis-server` (installed by
 * `npm test`'s set-up, test/setup/redis-step.ts), on a free loopback port, with no persistence,
 * killed and restarted at will.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { findOnPath } from './find-on-path.ts';
import { freePort } from './test-server.ts';

export class TestRedis {
  private child: ChildProcess | undefined;
  readonly port: number;

  private constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.port)}`;
  }

  static async start(): Promise<TestRedis> {
    const redis = new TestRedis(await freePort());
    await redis.restart();
    return redis;
  }

  /** Starts it (again, on the same port) and waits until it answers PING. */
  async restart(): Promise<void> {
    const binary = findOnPath('redis-server');
    if (binary === undefined)
      throw new Error('redis-server is not installed (npm test installs it)');
    this.child = spawn(
      binary,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const until = Date.now() + 10_000;
    while (!(await this.answers())) {
      if (Date.now() > until) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Kills it outright, as a crash or a network cut would look to its clients. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  private answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('error', () => resolve(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('+PONG'));
      });
    });
  }
}
