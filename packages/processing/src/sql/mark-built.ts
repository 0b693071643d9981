/**
 * Records the version a read model is built by, for a processor whose source replays from its
 * own start when new (a Kafka group reading from the earliest offset): nothing to truncate.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';

export const markBuilt = async (
  sql: SqlQueryable,
  schema: string,
  name: string,
  version: number,
): Promise<void> => {
  await sql.query(
    `UPDATE ${quoteIdent(schema)}.processor_progress SET version = $2, updated_at = now()
      WHERE name = $1 AND version = 0`,
    [name, version],
  );
};
