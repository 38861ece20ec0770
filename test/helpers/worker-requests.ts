/**
 * Requests to a server running several workers (`WORKERS=2`): each on a new TCP connection, so
 * the cluster hands consecutive requests to different workers, and the server's JSON log lines.
 */
import { request } from 'node:http';
import type { Spawned } from './spawn-server.ts';

export interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** One request on a new TCP connection (`agent: false`). */
export function fresh(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(text || '{}') as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The JSON lines the server wrote so far. */
export function records(spawned: Spawned): Record<string, unknown>[] {
  return spawned.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/**
 * Asks until `done` holds for `settle` answers in a row (so every worker answered so), and
 * returns how long after `since` the last answer came for which it did not hold.
 */
export async function lastAnswerOtherwise(
  ask: () => Promise<Answer>,
  done: (answer: Answer) => boolean,
  since: number,
  options: { settle?: number; timeoutMs?: number } = {},
): Promise<number> {
  const settle = options.settle ?? 6;
  const until = since + (options.timeoutMs ?? 10_000);
  let last = since;
  let inARow = 0;
  while (inARow < settle) {
    if (Date.now() > until) throw new Error('the change never reached every worker');
    const answer = await ask();
    if (done(answer)) inARow += 1;
    else {
      inARow = 0;
      last = Date.now();
    }
  }
  return last - since;
}
