/**
 * Refuses counter hits no backend could honour: a window that ends before it starts would make
 * every hit a new window (and on MongoDB-protocol servers without atomic updates the windows of
 * one key must end strictly later than one another), and the increment must be a whole number
 * of attempts. A `RangeError` is a caller's bug, not a storage failure.
 */
export function checkCounterHit(windowMs: number, by: number): void {
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
    throw new RangeError('counter window must be a positive whole number of milliseconds');
  }
  if (!Number.isSafeInteger(by) || by < 1) {
    throw new RangeError('counter increment must be a positive whole number');
  }
}
