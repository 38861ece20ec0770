import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * HTTP load with wrk (Debian's `wrk`) for the multi-process throughput check. Why not autocannon
 * here: on a 2-core machine the load generator shares the cores with the two workers, so the
 * CPU it spends per request is taken from them. autocannon spends ≈ 20 µs per request, wrk (C,
 * epoll, requests pipelined from a Lua table) ≈ 5 µs, most of it the kernel's loopback. Each
 * connection sends `pipeline` requests at once (HTTP/1.1 pipelining, RFC 9112 §9.3.2) and the
 * next batch when they are answered.
 */

export interface WrkRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  /** Bodies sent round robin. */
  bodies: readonly string[];
}

export interface WrkResult {
  perSecond: number;
  requests: number;
  /** Non-2xx/3xx answers plus socket errors and timeouts. */
  errors: number;
}

const luaString = (text: string) => JSON.stringify(text);

function script(request: WrkRequest, pipeline: number): string {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => `  wrk.headers[${luaString(name)}] = ${luaString(value)}`)
    .join('\n');
  const bodies = request.bodies.map(luaString).join(',\n  ');
  return `local bodies = {
  ${bodies}
}
local depth = ${String(pipeline)}
local batches = {}
local next = 0
init = function(args)
  wrk.method = ${luaString(request.method)}
  wrk.path = ${luaString(request.path)}
${headers}
  local count = math.max(1, math.floor(#bodies / depth))
  for b = 1, count do
    local parts = {}
    for i = 1, depth do
      parts[i] = wrk.format(nil, nil, nil, bodies[((b - 1) * depth + i - 1) % #bodies + 1])
    end
    batches[b] = table.concat(parts)
  end
end
request = function()
  next = next % #batches + 1
  return batches[next]
end
`;
}

/** Parses wrk's summary ("Requests/sec:", "Non-2xx or 3xx responses:", "Socket errors:"). */
export function parseWrkOutput(output: string): WrkResult {
  const perSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(output)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  if (!Number.isFinite(perSecond) || !Number.isFinite(requests))
    throw new Error(`could not read wrk's output: ${output.slice(0, 300)}`);
  return { perSecond, requests, errors: non2xx + socketErrors };
}

export async function runWrk(options: {
  url: string;
  request: WrkRequest;
  connections: number;
  seconds: number;
  pipeline: number;
}): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-wrk-'));
  const file = join(dir, 'load.lua');
  writeFileSync(file, script(options.request, options.pipeline));
  try {
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        'wrk',
        [
          '-t1',
          `-c${String(options.connections)}`,
          `-d${String(options.seconds)}s`,
          '--timeout',
          '10s',
          '-s',
          file,
          options.url,
        ],
        { timeout: (options.seconds + 30) * 1000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message} ${stderr}`)) : resolve(stdout),
      );
    });
    return parseWrkOutput(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
