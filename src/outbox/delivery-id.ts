import { randomBytes } from 'node:crypto';

/**
 * An outbox delivery id: base-36 milliseconds (fixed width, so ids sort by time and listings are
 * oldest first) and 10 random bytes. Used as the Standard Webhooks `webhook-id` too.
 */
export function newDeliveryId(time: number): string {
  return `msg_${time.toString(36).padStart(9, '0')}${randomBytes(10).toString('hex')}`;
}
