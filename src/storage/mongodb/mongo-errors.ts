/**
 * Classifies MongoDB driver errors so no driver error type leaves this folder: callers see
 * `StoreUnavailableError` (503 upstream), `StoreConflictError`, or a plain `Error`.
 */
import {
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoClientClosedError,
  MongoOperationTimeoutError,
} from 'mongodb';
import { StoreConflictError, StoreUnavailableError } from '../ports.ts';

/** E11000: a unique index refused the write. */
export const DUPLICATE_KEY = 11000;
/** FerretDB's answer to index options it lacks, e.g. `expireAfterSeconds`. */
export const NOT_IMPLEMENTED = 238;

/**
 * Server error codes that mean "no usable server right now" rather than "your request is wrong":
 * shutdown, failover and network failures reported by the server itself
 * (https://www.mongodb.com/docs/manual/reference/error-codes/).
 */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

function codeOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoError && codeOf(error) === DUPLICATE_KEY;
}

export function isNotImplementedError(error: unknown): boolean {
  return error instanceof MongoError && codeOf(error) === NOT_IMPLEMENTED;
}

/** True for the "cannot reach a server" family: selection timeouts, network errors, shutdowns. */
export function isUnavailableError(error: unknown): boolean {
  if (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoClientClosedError ||
    error instanceof MongoOperationTimeoutError
  ) {
    return true;
  }
  const code = codeOf(error);
  return error instanceof MongoError && code !== undefined && UNAVAILABLE_CODES.has(code);
}

/**
 * Maps an error thrown while running `operation` to what the ports promise. Store errors pass
 * through; the driver's become `StoreUnavailableError` or a plain `Error` with the driver's
 * error as `cause` (for logs) and a message that names no host or credential.
 */
export function toStoreError(error: unknown, operation: string): Error {
  if (error instanceof StoreConflictError || error instanceof StoreUnavailableError) return error;
  if (isUnavailableError(error)) {
    return new StoreUnavailableError(`MongoDB is unreachable (${operation})`, { cause: error });
  }
  if (error instanceof MongoError) {
    const code = codeOf(error);
    const detail = code === undefined ? error.name : `${error.name} ${String(code)}`;
    return new Error(`MongoDB ${operation} failed (${detail})`, { cause: error });
  }
  return error instanceof Error
    ? error
    : new Error(`MongoDB ${operation} failed`, { cause: error });
}

/** Runs `fn`, mapping whatever it throws with `toStoreError`. */
export async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toStoreError(error, operation);
  }
}
