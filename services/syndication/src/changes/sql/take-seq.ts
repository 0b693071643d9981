/** The next number of the syndication log; its row stays locked until the change commits. */
import type { SqlQueryable } from '@newsroom/event-store';

export const takeSeq = async (sql: SqlQueryable, schema: string): Promise<number> => {
  const { rows } = await sql.query<{ seq: string }>(
    `UPDATE ${schema}.syndication_seq SET seq = seq + 1 RETURNING seq::text AS seq`,
  );
  return Number(rows[0]!.seq);
};
