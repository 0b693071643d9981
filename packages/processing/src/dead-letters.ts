/**
 * Dead letters: messages a processor could not decode, or that kept failing while the
 * database answered. Each is recorded with its reason and the processor moves past it, so it
 * never blocks the messages behind it. Where it goes depends on the source: the store's own
 * `dead_letters` table in the transaction that passes it (messages read from the store's
 * log), or the dead-letter topic, sent before that transaction (messages read from Kafka).
 */
import type { SqlQueryable } from '@newsroom/event-store';
import type { Delivery } from './delivery.js';
import { insertDeadLetters } from './sql/insert-dead-letters.js';

export interface DeadLetter {
  readonly processor: string;
  readonly delivery: Delivery;
  readonly reason: string;
  readonly attempts: number;
}

export interface DeadLetterSink {
  /** Sent before the transaction that passes the letters opens (at least once). */
  readonly send?: (letters: readonly DeadLetter[]) => Promise<void>;
  /** Written inside that transaction (exactly once). */
  readonly record?: (sql: SqlQueryable, letters: readonly DeadLetter[]) => Promise<void>;
}

/** The event store's `dead_letters` table (in the store's schema). */
export const storeDeadLetters = (storeSchema: string): DeadLetterSink => ({
  record: (sql, letters) => insertDeadLetters(sql, storeSchema, letters),
});
