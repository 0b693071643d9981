/**
 * Moves a processor's position in the store's log, only for the holder of the current
 * fencing token: a paused instance that lost its lock finds nothing to update and is told so.
 */
import type { Position, SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';

export class FencedOffError extends Error {
  override readonly name = 'FencedOffError';
  constructor(readonly processor: string) {
    super(`processor ${processor}: another instance took over (fencing token is stale)`);
  }
}

export const moveProgress = async (
  sql: SqlQueryable,
  schema: string,
  name: string,
  fence: bigint,
  to: Position,
): Promise<void> => {
  const { rows } = await sql.query(
    `UPDATE ${quoteIdent(schema)}.processor_progress
        SET transaction_id = $3::xid8, position = $4::bigint, updated_at = now()
      WHERE name = $1 AND fence = $2::bigint
      RETURNING 1`,
    [name, fence.toString(), to.transactionId.toString(), to.sequence.toString()],
  );
  if (rows.length !== 1) throw new FencedOffError(name);
};

/** Only checks the token, holding the row for this transaction (a commit that does not move
 *  the position: a rebuild, which takes a new token, waits for it, or it for the rebuild). */
export const checkFence = async (
  sql: SqlQueryable,
  schema: string,
  name: string,
  fence: bigint,
): Promise<void> => {
  const { rows } = await sql.query(
    `SELECT 1 FROM ${quoteIdent(schema)}.processor_progress
      WHERE name = $1 AND fence = $2::bigint FOR SHARE`,
    [name, fence.toString()],
  );
  if (rows.length !== 1) throw new FencedOffError(name);
};
