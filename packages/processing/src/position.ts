import type { Position } from '@newsroom/event-store';

/** Whether `a` is at or after `b` in the store's global log. */
export const atOrAfter = (a: Position, b: Position): boolean =>
  a.transactionId > b.transactionId ||
  (a.transactionId === b.transactionId && a.sequence >= b.sequence);
