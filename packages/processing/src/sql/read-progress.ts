/** Where a processor stands in the store's log, and its current fencing token. */
import type { Position, SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';

export interface StoredProgress {
  readonly position: Position;
  readonly fence: bigint;
  /** The version the read model was built by (0: not built yet). */
  readonly version: number;
}

export const readProgress = async (
  sql: SqlQueryable,
  schema: string,
  name: string,
): Promise<StoredProgress | undefined> => {
  const { rows } = await sql.query<{
    transaction_id: string;
    position: string;
    fence: string;
    version: number;
  }>(
    `SELECT transaction_id::text AS transaction_id, position::text AS position, fence::text AS fence,
            version
       FROM ${quoteIdent(schema)}.processor_progress WHERE name = $1`,
    [name],
  );
  const row = rows[0];
  return row
    ? {
        position: { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) },
        fence: BigInt(row.fence),
        version: Number(row.version),
      }
    : undefined;
};
