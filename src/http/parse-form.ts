import type { Context } from 'koa';
import { AppError } from '../errors/app-error.ts';

/**
 * Reads an `application/x-www-form-urlencoded` body (our pages post nothing else) into a map of
 * strings. Hostile-input rules (ASVS 15.3.x): a body over `limit` bytes is 413 without reading
 * it all; another content type is 415; a field sent twice is 400 (parameter pollution); keys
 * such as `__proto__` land in a null-prototype object, so they cannot pollute prototypes; values
 * are always strings, so `login[$ne]=x` is just an odd username and never an operator.
 */
/** The whole request body, refused with 413 past `limit` bytes (declared or sent). */
export async function readBodyWithin(ctx: Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > limit) throw new AppError('payload_too_large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new AppError('payload_too_large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function parseForm(
  ctx: Context,
  options: { limit: number },
): Promise<Record<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new AppError('unsupported_media_type');
  const body = await readBodyWithin(ctx, options.limit);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AppError('invalid_body', { body: 'not valid UTF-8' });
  }
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    if (key in fields) throw new AppError('invalid_body', { [key]: 'sent more than once' });
    fields[key] = value;
  }
  return fields;
}
