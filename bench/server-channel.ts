import type { ServerReady, ServerSpec } from './bench-fixtures.ts';

/**
 * The IPC conversation between the benchmark and a server process it started
 * (server-process.ts on the parent's side, this on the child's): start with a spec, answer
 * `ready`; stop. A child whose parent goes away exits.
 */

export type ToServer = { type: 'start'; spec: ServerSpec } | { type: 'stop' };

export type FromServer =
  | { type: 'hello' }
  | { type: 'ready'; ready: ServerReady }
  | { type: 'stopped' }
  | { type: 'error'; message: string };

export interface ServerHandlers {
  start(spec: ServerSpec): Promise<ServerReady>;
  stop(): Promise<void>;
}

function send(message: FromServer, then?: () => void): void {
  process.send?.(message, undefined, {}, () => then?.());
}

export function serveParent(handlers: ServerHandlers): void {
  if (!process.send)
    throw new Error('this is a benchmark server process: start it with `npm run bench`');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw) => {
    const message = raw as ToServer;
    const run = async (): Promise<FromServer> => {
      switch (message.type) {
        case 'start':
          return { type: 'ready', ready: await handlers.start(message.spec) };
        case 'stop':
          await handlers.stop();
          return { type: 'stopped' };
      }
    };
    run().then(
      // Stopped: exit once the answer is out, whatever timers a library left behind.
      (answer) => send(answer, answer.type === 'stopped' ? () => process.exit(0) : undefined),
      (err: unknown) =>
        send({
          type: 'error',
          message: err instanceof Error ? (err.stack ?? err.message) : String(err),
        }),
    );
  });
  send({ type: 'hello' });
}
