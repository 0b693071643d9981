/**
 * Takes a new fencing token for a processor (the instance that now holds its lock): every
 * token before it is void, so an instance that lost the lock while paused cannot move the
 * progress any more. Answers the token and where the processor stands in the store's log.
 */
import type { Position, SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';

export interface Fenced {
  readonly fence: bigint;
  readonly position: Position;
  readonly builtByVersion: number;
}

export const takeFence = async (
  sql: SqlQueryable,
  schema: string,
  name: string,
  owner: string,
): Promise<Fenced> => {
  const { rows } = await sql.query<{
    fence: string;
    transaction_id: string;
    position: string;
    version: number;
  }>(
    `UPDATE ${quoteIdent(schema)}.processor_progress
        SET fence = fence + 1, owner = $2, updated_at = now()
      WHERE name = $1
      RETURNING fence::text AS fence, transaction_id::text AS transaction_id,
                position::text AS position, version`,
    [name, owner],
  );
  const row = rows[0];
  if (!row) throw new Error(`processor ${name} has no progress row in ${schema}: init it first`);
  return {
    fence: BigInt(row.fence),
    position: { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) },
    builtByVersion: Number(row.version),
  };
};
