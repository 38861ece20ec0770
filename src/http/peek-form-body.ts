import type { IncomingMessage } from 'node:http';

/**
 * Reads a small `application/x-www-form-urlencoded` body without consuming it: the bytes are
 * put back on the stream (`readable.unshift`, the way Node's documentation peeks at a header)
 * before the request's `end` can fire, so the provider downstream reads the body as if nobody
 * had. Only bodies with a `Content-Length` of at most `limit` bytes are peeked at; anything
 * else answers `undefined` and is left alone (the provider refuses bodies over 56 KiB itself).
 */
/** A peeked body: its text as sent, and the form it encodes. */
export interface PeekedForm {
  text: string;
  form: URLSearchParams;
}

/** Bodies already peeked at, per request: several hooks read the same form, the body once. */
const peeked = new WeakMap<IncomingMessage, Promise<PeekedForm | undefined>>();

/** The body's text and form (see above). */
export function peekForm(req: IncomingMessage, limit: number): Promise<PeekedForm | undefined> {
  let form = peeked.get(req);
  if (!form) {
    form = readWithoutConsuming(req, limit);
    peeked.set(req, form);
  }
  return form;
}

export async function peekFormBody(
  req: IncomingMessage,
  limit: number,
): Promise<URLSearchParams | undefined> {
  return (await peekForm(req, limit))?.form;
}

async function readWithoutConsuming(
  req: IncomingMessage,
  limit: number,
): Promise<PeekedForm | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const length = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(length) || length <= 0 || length > limit) return undefined;
  if (req.readableEncoding !== null || req.readableEnded || req.readableFlowing === true)
    return undefined;

  const chunks: Buffer[] = [];
  let size = 0;
  while (size < length) {
    const chunk = req.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      size += chunk.length;
      continue;
    }
    if (req.readableEnded || req.destroyed) break;
    await new Promise<void>((resolve) => {
      const done = () => {
        req.off('readable', done);
        req.off('end', done);
        req.off('close', done);
        req.off('error', done);
        resolve();
      };
      req.on('readable', done);
      req.on('end', done);
      req.on('close', done);
      req.on('error', done);
    });
  }
  const body = Buffer.concat(chunks, size);
  if (size > 0 && !req.readableEnded) req.unshift(body);
  const text = body.toString('utf8');
  return { text, form: new URLSearchParams(text) };
}
