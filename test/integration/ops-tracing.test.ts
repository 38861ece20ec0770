import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTracing } from '../../src/tracing/start-tracing.ts';
import { DISABLED_TRACING } from '../../src/tracing/tracing.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { startTestServer } from '../helpers/test-server.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

/** A tiny OTLP/HTTP receiver on loopback: keeps every span POSTed to /v1/traces (JSON encoding). */
class Receiver {
  readonly requests: { path: string; contentType: string }[] = [];
  readonly spans: (OtlpSpan & { service?: string })[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '' });
        if (req.method === 'POST' && req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: {
              resource: { attributes: { key: string; value: { stringValue?: string } }[] };
              scopeSpans: { spans: OtlpSpan[] }[];
            }[];
          };
          for (const rs of body.resourceSpans) {
            const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value
              .stringValue;
            for (const ss of rs.scopeSpans)
              for (const span of ss.spans) this.spans.push({ ...span, service });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function attribute(span: OtlpSpan, key: string): string | number | undefined {
  const v = span.attributes?.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
}

const receiver = new Receiver();
beforeAll(() => receiver.start());
afterAll(() => receiver.stop());

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('exports a server span per request with store-call spans as its children', async () => {
    const server = await startTestServer({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'portcullis-test',
    });
    expect(server.tracing.enabled).toBe(true);
    const api = await server.createClient({
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    expect(res.status).toBe(200);
    // Stopping flushes the batch of spans still buffered.
    await server.stop({ graceMs: 100 });

    expect(
      receiver.requests.some(
        (r) => r.path === '/v1/traces' && r.contentType.startsWith('application/json'),
      ),
    ).toBe(true);
    const request = receiver.spans.find((s) => s.name === 'POST /token');
    if (!request)
      throw new Error(`no request span among ${receiver.spans.map((s) => s.name).join(', ')}`);
    expect(request.service).toBe('portcullis-test');
    expect(request.kind).toBe(2); // SERVER
    expect(attribute(request, 'http.route')).toBe('/token');
    expect(attribute(request, 'http.response.status_code')).toBe(200);
    expect(attribute(request, 'http.request.method')).toBe('POST');

    const storeCalls = receiver.spans.filter((s) => s.parentSpanId === request.spanId);
    expect(storeCalls.length).toBeGreaterThan(0);
    for (const call of storeCalls) {
      expect(call.traceId).toBe(request.traceId);
      expect(call.kind).toBe(3); // CLIENT
      expect(call.name).toMatch(/^store /);
      expect(attribute(call, 'db.system.name')).toBe('memory');
    }
    const clientLookup = storeCalls.find(
      (s) => s.name === 'store oidc.find' && attribute(s, 'portcullis.model') === 'Client',
    );
    expect(clientLookup).toBeDefined();
    // Spans never carry the raw query string, and a token is never an attribute value.
    const body = JSON.stringify(receiver.spans);
    expect(body).not.toContain(api.clientSecret);
  });
});

describe('tracing without an endpoint', () => {
  it("starts no SDK and sends nothing, even with the exporter's own variables in the environment", async () => {
    const sent = receiver.requests.length;
    // The OTLP exporter reads these itself when it is constructed without a URL: if anything built
    // an exporter while tracing is off, spans would go to the receiver.
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.url}/v1/traces`;
    try {
      expect(
        await startTracing({
          otlpEndpoint: undefined,
          serviceName: 'x',
          log: createLogger({ level: 'silent' }),
        }),
      ).toBe(DISABLED_TRACING);
      const server = await startTestServer();
      expect(server.tracing.enabled).toBe(false);
      const client = await server.createClient({
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      });
      const res = await fetch(`${server.issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials' }),
      });
      expect(res.status).toBe(200);
      await server.stop({ graceMs: 100 });
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.requests.length).toBe(sent);
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    }
  });
});
