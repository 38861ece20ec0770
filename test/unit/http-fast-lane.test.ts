/**
 * The fast lane in front of the app (src/http/fast-lane.ts), over real HTTP: it answers only
 * what its lane claims and has an answer for, with the chain's headers, and hands everything
 * else to the app with the body unread.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createServer,
  request,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { withFastLane, type FastLane, type LaneAnswer } from '../../src/http/fast-lane.ts';
import type { RequestRecord } from '../../src/http/request-logger.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { peekFormBody } from '../../src/http/peek-form-body.ts';

const remembered: LaneAnswer = {
  headers: [
    ['content-type', 'application/json; charset=utf-8'],
    ['cache-control', 'no-store'],
  ],
  bytes: Buffer.from('{"active":true}'),
  route: '/remembered',
  routeName: 'remembered',
  clientId: 'api-1',
  body: { active: true },
};

/** Claims POST /remembered; has an answer for the form `token=known` only. */
const lane: FastLane = {
  claims: (req) => req.method === 'POST' && req.url === '/remembered',
  async answer(req: IncomingMessage) {
    const form = await peekFormBody(req, 1024);
    if (form?.get('token') === 'fails') throw new Error('lane failure');
    return form?.get('token') === 'known' ? remembered : undefined;
  },
};

const observed: RequestRecord[] = [];
let server: Server;
let base: string;
let host: string;

/** The app: echoes the body it reads, so a body the lane peeked at must still be whole. */
async function app(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  res.setHeader('x-answered-by', 'app');
  res.end(Buffer.concat(chunks));
}

beforeAll(async () => {
  let listener: RequestListener = () => undefined;
  server = createServer((req, res) => listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  base = `http://${host}`;
  listener = withFastLane(app, {
    lane,
    allowedHosts: new Set([host]),
    securityHeaders: [
      ['X-Content-Type-Options', 'nosniff'],
      ['Content-Security-Policy', "default-src 'none'"],
    ],
    trustProxy: false,
    log: createLogger({ level: 'silent' }),
    observe: (record) => observed.push(record),
  });
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

describe('the fast lane', () => {
  it('answers a claimed request it has an answer for, with the security headers and a request id', async () => {
    const before = observed.length;
    const res = await post('/remembered', 'token=known');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"active":true}');
    expect(res.headers.get('x-answered-by')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-length')).toBe(String(remembered.bytes.length));
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(observed.slice(before)).toEqual([
      expect.objectContaining({ route: '/remembered', status: 200, clientId: 'api-1' }),
    ]);
  });

  it('hands a claimed request it has no answer for to the app, body intact', async () => {
    const res = await post('/remembered', 'token=unknown&x=1');
    expect(res.headers.get('x-answered-by')).toBe('app');
    expect(await res.text()).toBe('token=unknown&x=1');
  });

  it('hands the request to the app when the lane fails', async () => {
    const res = await post('/remembered', 'token=fails');
    expect(res.headers.get('x-answered-by')).toBe('app');
    expect(await res.text()).toBe('token=fails');
  });

  it('never takes a request for another host, or one a proxy forwarded', async () => {
    // fetch() will not send another Host: node:http will.
    const foreign = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(
        `${base}/remembered`,
        {
          method: 'POST',
          headers: { host: 'evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          res.resume();
          resolve(res.headers['x-answered-by'] as string | undefined);
        },
      );
      req.on('error', reject);
      req.end('token=known');
    });
    expect(foreign).toBe('app');
    const forwarded = await post('/remembered', 'token=known', {
      'x-forwarded-host': 'evil.example',
    });
    expect(forwarded.headers.get('x-answered-by')).toBe('app');
  });

  it('leaves requests it does not claim to the app', async () => {
    const res = await post('/other', 'token=known');
    expect(res.headers.get('x-answered-by')).toBe('app');
    expect(await res.text()).toBe('token=known');
  });
});
