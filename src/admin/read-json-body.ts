import type { Middleware } from 'koa';
import { AppError } from '../errors/app-error.ts';

/**
 * The admin API's own body parser: JSON only, at most `limitBytes` (413 beyond, before reading
 * what the Content-Length announces), UTF-8 only, malformed JSON 400, any other content type
 * 415. The parsed value is left in `ctx.state.body` (`undefined` when the request had none).
 *
 * Keys `__proto__`, `constructor` and `prototype` are refused anywhere in the document (ASVS
 * 15.3.6): `JSON.parse` keeps them as plain data, but one `Object.assign` or careless merge
 * later they could reach an object's prototype; no admin field has such a name.
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

class ForbiddenKeyError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`forbidden key ${key}`);
    this.key = key;
  }
}

function hasBody(headers: {
  'content-length'?: string | undefined;
  'transfer-encoding'?: string | undefined;
}): boolean {
  const length = headers['content-length'];
  return (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
}

async function readLimited(
  stream: AsyncIterable<Buffer | string>,
  limitBytes: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limitBytes)
      throw new AppError('payload_too_large', { body: `must be at most ${limitBytes} bytes` });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function readJsonBody(options: {
  limitBytes: number;
  /** Paths that take a larger body (a user import file), with their limit. */
  largeBodies?: Readonly<Record<string, number>>;
}): Middleware {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return async function readJsonBody(ctx, next) {
    const limitBytes = options.largeBodies?.[ctx.path] ?? options.limitBytes;
    ctx.state.body = undefined;
    if (!WITH_BODY.has(ctx.method) || !hasBody(ctx.req.headers)) {
      await next();
      return;
    }
    // RFC 7396 merge patches have their own media type; PATCH takes either.
    const accepted =
      ctx.method === 'PATCH'
        ? ['application/json', 'application/merge-patch+json']
        : ['application/json'];
    if (!accepted.includes(ctx.request.type)) throw new AppError('json_required');
    const charset = ctx.request.charset;
    if (charset !== '' && charset !== 'utf-8')
      throw new AppError('json_required', { charset: 'must be utf-8 (RFC 8259 §8.1)' });
    const announced = Number(ctx.get('content-length') || '0');
    if (announced > limitBytes) {
      // The body stays unread: close the connection rather than drain it.
      ctx.set('Connection', 'close');
      throw new AppError('payload_too_large', {
        body: `must be at most ${limitBytes} bytes`,
      });
    }

    let text: string;
    try {
      text = decoder.decode(await readLimited(ctx.req, limitBytes));
    } catch (err) {
      if (err instanceof AppError) {
        ctx.set('Connection', 'close');
        throw err;
      }
      throw new AppError('invalid_body', { body: 'must be UTF-8 text' });
    }
    try {
      ctx.state.body = JSON.parse(text, (key, value: unknown) => {
        if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError(key);
        return value;
      }) as unknown;
    } catch (err) {
      if (err instanceof ForbiddenKeyError) {
        throw new AppError('invalid_body', {
          [err.key === '__proto__' ? 'proto' : err.key]:
            `the key "${err.key}" is not accepted anywhere in the body`,
        });
      }
      throw new AppError('invalid_body', { body: 'is not valid JSON (RFC 8259)' });
    }
    await next();
  };
}
