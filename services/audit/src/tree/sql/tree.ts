/** The tree's own row: its size and the last event it holds (the log position it resumes at). */
import type { Position, SqlQueryable } from '@newsroom/event-store';

export interface TreeRow {
  readonly size: number;
  readonly last: Position | undefined;
}

const read = async (db: SqlQueryable, schema: string, lock: string): Promise<TreeRow> => {
  const { rows } = await db.query<{ size: string; xid: string | null; seq: string | null }>(
    `SELECT size::text AS size, last_transaction_id::text AS xid, last_sequence::text AS seq
       FROM ${schema}.tree ${lock}`,
  );
  const row = rows[0];
  if (row === undefined) throw new Error(`${schema}.tree has no row`);
  return {
    size: Number(row.size),
    last:
      row.xid === null || row.seq === null
        ? undefined
        : { transactionId: BigInt(row.xid), sequence: BigInt(row.seq) },
  };
};

/** The row, locked until the transaction ends (growing and sealing take turns on it). */
export const lockTree = (tx: SqlQueryable, schema: string): Promise<TreeRow> =>
  read(tx, schema, 'FOR UPDATE');

/** The row as it is now, no lock. */
export const readTree = (db: SqlQueryable, schema: string): Promise<TreeRow> =>
  read(db, schema, '');

export const moveTree = async (
  tx: SqlQueryable,
  schema: string,
  size: number,
  last: Position,
): Promise<void> => {
  await tx.query(
    `UPDATE ${schema}.tree SET size = $1, last_transaction_id = $2::xid8, last_sequence = $3`,
    [size, last.transactionId.toString(), last.sequence.toString()],
  );
};

/** The size without a lock (what proofs may ask for). */
export const treeSize = async (db: SqlQueryable, schema: string): Promise<number> => {
  const { rows } = await db.query<{ size: string }>(
    `SELECT size::text AS size FROM ${schema}.tree`,
  );
  return Number(rows[0]?.size ?? 0);
};
