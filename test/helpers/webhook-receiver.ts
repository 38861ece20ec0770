import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook receiver on loopback: records every POST (headers and raw body), answers as told. */
export interface WebhookReceiver {
  url: string;
  received: { path: string; headers: IncomingHttpHeaders; body: string }[];
  /** Statuses to answer per path, used first to last; the last one forever after (default 204). */
  answers: Map<string, number[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const answers = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body });
      const planned = answers.get(path) ?? [204];
      const status = planned.length > 1 ? (planned.shift() ?? 204) : (planned[0] ?? 204);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    answers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
