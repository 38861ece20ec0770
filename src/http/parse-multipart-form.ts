import type { Context } from 'koa';
import { readBodyWithin } from './parse-form.ts';
import { AppError } from '../errors/app-error.ts';

export interface MultipartForm {
  /** The text fields, as parseForm answers them (null prototype, each sent once). */
  fields: Record<string, string>;
  /** The files, as UTF-8 text, by field name. */
  files: Record<string, { filename: string; text: string }>;
}

/**
 * Reads a `multipart/form-data` body (RFC 7578; a form with a file input) with the platform's
 * own parser (the Fetch `Request.formData()` of Node's undici), after the same hostile-input
 * rules as parseForm: over `limit` bytes is 413 without reading it all, a field sent twice is
 * 400, text that is not UTF-8 is 400.
 */
export async function parseMultipartForm(
  ctx: Context,
  options: { limit: number },
): Promise<MultipartForm> {
  const type = ctx.get('content-type');
  if (!ctx.is('multipart/form-data')) throw new AppError('unsupported_media_type');
  const body = await readBodyWithin(ctx, options.limit);
  let data: FormData;
  try {
    data = await new Request('http://form.invalid/', {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    }).formData();
  } catch {
    throw new AppError('invalid_body', { body: 'not a valid multipart/form-data body' });
  }
  const fields: Record<string, string> = Object.create(null);
  const files: MultipartForm['files'] = Object.create(null);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [key, value] of data) {
    if (key in fields || key in files)
      throw new AppError('invalid_body', { [key.slice(0, 64)]: 'sent more than once' });
    if (typeof value === 'string') {
      fields[key] = value;
      continue;
    }
    try {
      files[key] = { filename: value.name, text: decoder.decode(await value.arrayBuffer()) };
    } catch {
      throw new AppError('invalid_body', { [key.slice(0, 64)]: 'not valid UTF-8' });
    }
  }
  return { fields, files };
}
