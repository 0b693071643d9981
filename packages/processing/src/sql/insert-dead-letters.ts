/**
 * Records dead letters in the event store's own `dead_letters` table, in the transaction that
 * moves the processor past them: a dead letter is written exactly when its message is passed.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { DeadLetter } from '../dead-letters.js';

export const insertDeadLetters = async (
  sql: SqlQueryable,
  storeSchema: string,
  letters: readonly DeadLetter[],
): Promise<void> => {
  for (const letter of letters) {
    const origin = letter.delivery.origin;
    await sql.query(
      `INSERT INTO ${quoteIdent(storeSchema)}.dead_letters
         (processor, stream_name, revision, event_id, event_type, transaction_id, position,
          reason, attempts, payload, source)
       VALUES ($1, $2, $3::bigint, $4, $5, $6::xid8, $7::bigint, $8, $9, $10, $11::json)
       ON CONFLICT (processor, stream_name, revision) DO NOTHING`,
      [
        letter.processor,
        letter.delivery.streamName,
        letter.delivery.revision ?? null,
        letter.delivery.eventId ?? null,
        letter.delivery.eventType,
        origin.kind === 'store' ? origin.transactionId : null,
        origin.kind === 'store' ? origin.sequence : null,
        letter.reason,
        letter.attempts,
        letter.delivery.payload(),
        JSON.stringify(origin),
      ],
    );
  }
};
