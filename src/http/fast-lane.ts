import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger.ts';
import { chooseRequestId } from './request-id.ts';
import { logRequest, type ObserveRequest, type RequestRecord } from './request-logger.ts';

/** An answer given before the host chain, exactly as the chain gave it before. */
export interface LaneAnswer {
  /** Headers the route set (Content-Type, Cache-Control, …), without Content-Length. */
  headers: readonly (readonly [string, string])[];
  /** The body's bytes, serialised once when the answer was remembered. */
  bytes: Buffer;
  /** What the request log and metrics read: the route pattern and name, the client, the body. */
  route: string;
  routeName: unknown;
  clientId: string | undefined;
  body: unknown;
}

/**
 * A lane answers some requests from memory before Koa is entered. `claims` is a cheap look at
 * the request line and headers; `answer` may read the body (without consuming it, so a request it
 * does not answer reaches the app intact) and gives the remembered answer or nothing.
 */
export interface FastLane {
  claims(req: IncomingMessage): boolean;
  answer(req: IncomingMessage): Promise<LaneAnswer | undefined>;
}

export interface FastLaneDeps {
  lane: FastLane;
  /** Hosts the app answers for (src/http/host-check.ts): any other goes to the app, which refuses it. */
  allowedHosts: ReadonlySet<string>;
  /** The headers every answer gets first (src/http/security-headers.ts). */
  securityHeaders: readonly (readonly [string, string])[];
  /** Keep a proxy's X-Request-Id (src/http/request-id.ts). */
  trustProxy: boolean;
  log: Logger;
  observe?: ObserveRequest;
}

/**
 * The request listener with a fast lane in front of the app (issue 18: introspection at 3× the
 * engine). A repeated introspection call is answered from memory in a few microseconds, and the
 * ≈ 15 Koa middlewares every request passes (context, request id, client address, cookies, log,
 * headers, error page, checks) then cost more than the answer itself. The lane gives what that
 * chain gives, from the same sources: the security headers' list, the request id rule, the log
 * line and the metrics of src/http/request-logger.ts. It only ever takes a request the chain
 * would pass untouched: no proxy-forwarded host (the chain's host check reads it when the proxy
 * is trusted), an allowed Host, and the lane's exact claims; everything else — and any request
 * the lane has no answer for, or fails on — is the app's, with its body unread.
 */
/** Koa's `app.callback()`: it answers every error itself, so its promise is never awaited. */
export type AppListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function withFastLane(callback: AppListener, deps: FastLaneDeps): RequestListener {
  const { lane } = deps;
  const fixed = deps.securityHeaders.flat();
  const templates = new WeakMap<LaneAnswer, string[]>();
  const app = (req: IncomingMessage, res: ServerResponse): void => {
    void callback(req, res);
  };
  const answer = (req: IncomingMessage, res: ServerResponse, hit: LaneAnswer, started: bigint) => {
    const requestId = chooseRequestId(
      req.headers['x-request-id'] as string | undefined,
      deps.trustProxy,
    );
    // One flat list to writeHead (Node stores it as it is, without a header map per answer),
    // made once per remembered answer; only the request id changes.
    let template = templates.get(hit);
    if (!template) {
      template = [...fixed, 'X-Request-Id', ''];
      for (const [name, value] of hit.headers) template.push(name, value);
      template.push('Content-Length', String(hit.bytes.length));
      templates.set(hit, template);
    }
    const headers = template.slice();
    headers[fixed.length + 1] = requestId;
    res.writeHead(200, headers);
    res.end(hit.bytes);
    // The peeked body was put back on the stream; nobody will read it now.
    req.resume();
    const record: RequestRecord = {
      method: 'POST',
      route: hit.route,
      status: 200,
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      requestId,
      clientId: hit.clientId,
    };
    deps.observe?.(record, { _matchedRouteName: hit.routeName, body: hit.body });
    logRequest(deps.log, record, req.url ?? '');
  };
  return function fastLane(req, res) {
    const host = req.headers.host;
    if (
      host === undefined ||
      req.headers['x-forwarded-host'] !== undefined ||
      !deps.allowedHosts.has(host.toLowerCase()) ||
      !lane.claims(req)
    )
      return app(req, res);
    const started = process.hrtime.bigint();
    lane
      .answer(req)
      .then(
        (hit) => (hit ? answer(req, res, hit, started) : app(req, res)),
        () => app(req, res),
      )
      .catch((err: unknown) => {
        // Only writing a remembered answer can get here: the socket went away under it.
        deps.log.warn(
          { err, event: 'http.fast_lane_failed' },
          'could not send a remembered answer',
        );
      });
  };
}
