import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request exactly as written (request line, headers, body) over a plain socket and
 * reads the answer to the end (`Connection: close`). `fetch` cannot send an absolute-form target
 * (RFC 9112 §3.2.2) or a malformed one, which is what these tests need.
 */
export function rawRequest(
  port: number,
  requestLine: string,
  headers: Record<string, string>,
  body = '',
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = text.slice(0, split).split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? '')?.[1] ?? 0);
      const parsed: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      let rest = text.slice(split + 4);
      if (parsed['transfer-encoding'] === 'chunked') {
        let out = '';
        for (;;) {
          const eol = rest.indexOf('\r\n');
          const size = parseInt(rest.slice(0, eol), 16);
          if (!size) break;
          out += rest.slice(eol + 2, eol + 2 + size);
          rest = rest.slice(eol + 2 + size + 2);
        }
        rest = out;
      }
      resolve({ status, headers: parsed, body: rest });
    });
    const lines = [
      requestLine,
      ...Object.entries({ connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}`),
    ];
    if (body) lines.push(`content-length: ${String(Buffer.byteLength(body))}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  });
}
