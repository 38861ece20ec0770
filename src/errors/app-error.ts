import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

/**
 * An error Portcullis raises on purpose. 4xx are `expose`d to the caller with their catalogue
 * message (and `details`, e.g. which field is wrong); 5xx are logged and answered generically
 * (Koa's expose semantics).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(code: ErrorCode, details?: Record<string, string>, options?: { cause?: unknown }) {
    const entry = ERROR_CODES[code];
    super(entry.message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.expose = entry.status < 500;
    this.details = details;
  }
}
