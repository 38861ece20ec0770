import { AppError } from '../errors/app-error.ts';
import { StoreUnavailableError } from '../storage/ports.ts';
import type { CliIo } from './cli-io.ts';
import { ConfigError } from './config-error.ts';
import { EXIT } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';

/** `field: problem` for each detail (e.g. `username: must be at most 64 characters`). */
function describeAppError(err: AppError): string {
  if (err.expose && err.details && Object.keys(err.details).length > 0) {
    return Object.entries(err.details)
      .map(([field, problem]) => `${field}: ${problem}`)
      .join('; ');
  }
  return err.message;
}

/**
 * Prints one clear line on stderr for a failed command and answers its exit code. Never a
 * stack trace: `--verbose` logs one for whoever needs it.
 */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(`error: ${err.message}\n\n${err.usage}`);
    return EXIT.usage;
  }
  if (err instanceof ConfigError) {
    io.stderr.write(`error: ${err.message}:\n${err.problems.map((p) => `  - ${p}\n`).join('')}`);
    return EXIT.config;
  }
  if (err instanceof AppError) {
    io.stderr.write(`error: ${describeAppError(err)}\n`);
    return EXIT.failure;
  }
  if (err instanceof StoreUnavailableError) {
    io.stderr.write(`error: the store is unavailable: ${err.message}\n`);
    return EXIT.failure;
  }
  const message =
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : String(err);
  io.stderr.write(`error: ${message.split('\n')[0] ?? 'unexpected failure'}\n`);
  return EXIT.failure;
}
