/**
 * A rebuild's bookkeeping: back to the start of the log, no marks, built by `version`, a new
 * fencing token (the caller's, who holds the lock). Runs in the rebuild's transaction beside
 * the processor's `truncate`.
 */
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import { FencedOffError } from './move-progress.js';

export const resetProcessor = async (
  sql: SqlQueryable,
  schema: string,
  name: string,
  fence: bigint,
  version: number,
): Promise<void> => {
  const s = quoteIdent(schema);
  const { rows } = await sql.query(
    `UPDATE ${s}.processor_progress
        SET transaction_id = '0', position = 0, version = $3, updated_at = now()
      WHERE name = $1 AND fence = $2::bigint
      RETURNING 1`,
    [name, fence.toString(), version],
  );
  if (rows.length !== 1) throw new FencedOffError(name);
  await sql.query(`DELETE FROM ${s}.processor_marks WHERE processor = $1`, [name]);
};
