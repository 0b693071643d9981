/**
 * Processed marks: the last revision of each stream a processor applied. Inside the
 * transaction that applies a batch, `claimMarks` locks the marks of the batch's streams,
 * drops the messages at or below them (seen before: a redelivery) and moves the marks to the
 * batch's last revisions. Two instances applying the same stream at once (a Kafka rebalance)
 * queue on the lock; the later one then sees the marks moved and applies nothing twice.
 */
import type { ArticleEventMessage } from '@newsroom/contracts';
import type { SqlQueryable } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';

/** Another instance marked a stream this batch is new to, in the meantime: retry the batch. */
export class MarkConflictError extends Error {
  override readonly name = 'MarkConflictError';
  constructor(readonly processor: string) {
    super(`processor ${processor}: another instance applied a stream of this batch first`);
  }
}

const lastRevisions = (messages: readonly ArticleEventMessage[]): Map<string, bigint> => {
  const last = new Map<string, bigint>();
  for (const m of messages) {
    const revision = BigInt(m.revision);
    const seen = last.get(m.streamName);
    if (seen === undefined || revision > seen) last.set(m.streamName, revision);
  }
  return last;
};

/** Answers the messages not applied before, in their order, and marks them applied. */
export const claimMarks = async (
  sql: SqlQueryable,
  schema: string,
  processor: string,
  messages: readonly ArticleEventMessage[],
): Promise<readonly ArticleEventMessage[]> => {
  if (messages.length === 0) return messages;
  const s = quoteIdent(schema);
  const streams = [...new Set(messages.map((m) => m.streamName))].sort();
  const { rows } = await sql.query<{ stream_name: string; revision: string }>(
    `SELECT stream_name, revision::text AS revision FROM ${s}.processor_marks
      WHERE processor = $1 AND stream_name = ANY($2::text[]) ORDER BY stream_name FOR UPDATE`,
    [processor, streams],
  );
  const marks = new Map(rows.map((r) => [r.stream_name, BigInt(r.revision)]));
  // A running mark: a message repeated within the batch (a resent batch fetched beside the
  // first) or one behind its stream's last is passed over as well.
  const running = new Map(marks);
  const fresh = messages.filter((m) => {
    const mark = running.get(m.streamName);
    const revision = BigInt(m.revision);
    if (mark !== undefined && revision <= mark) return false;
    running.set(m.streamName, revision);
    return true;
  });
  // In stream-name order, so two instances claiming overlapping streams lock them alike.
  const next = [...lastRevisions(fresh)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const moved = next.filter(([stream]) => marks.has(stream));
  const created = next.filter(([stream]) => !marks.has(stream));
  if (moved.length > 0) {
    await sql.query(
      `UPDATE ${s}.processor_marks m SET revision = u.revision
         FROM unnest($2::text[], $3::bigint[]) AS u(stream_name, revision)
        WHERE m.processor = $1 AND m.stream_name = u.stream_name`,
      [processor, moved.map(([stream]) => stream), moved.map(([, r]) => r.toString())],
    );
  }
  if (created.length > 0) {
    const inserted = await sql.query(
      `INSERT INTO ${s}.processor_marks (processor, stream_name, revision)
       SELECT $1, u.stream_name, u.revision FROM unnest($2::text[], $3::bigint[]) AS u(stream_name, revision)
       ON CONFLICT (processor, stream_name) DO NOTHING
       RETURNING 1`,
      [processor, created.map(([stream]) => stream), created.map(([, r]) => r.toString())],
    );
    if (inserted.rows.length !== created.length) throw new MarkConflictError(processor);
  }
  return fresh;
};
