/**
 * The whole log from a position to the gap-free horizon by binary COPY (pg only): no per-row
 * protocol message, no text for numbers, times, ids and hashes, and an index scan in the log's
 * order (the planner would sort a large range instead). For readers that take the log whole
 * and fast: the audit's export. Same rows, order and values as readAllStored.
 *
 * It copies a segment (SEGMENT rows) at a time, each its own short read-only statement that
 * streams at the reader's pace but is cut off after COPY_TIMEOUT: a reader that stalls holds
 * no snapshot or lock for longer than that. The driver lets at most a few COPYs hold a
 * connection at once, so a reader that asks the pool for more while it copies finds one.
 */
import type { Position } from '../port.js';
import { START } from '../port.js';
import { copyBinaryBatches, copyTimestampMs, copyUuid, fieldStart, rowsOf } from './copy-binary.js';
import type { CopyBatch, CopyRow } from './copy-binary.js';
import type { SqlDriver } from './driver.js';
import { quoteIdent } from './driver.js';
import type { StoredEvent } from './postgres-event-store.js';

/** Rows a segment copies (about 18 MB of these events). */
export const SEGMENT = 20_000;

/** How long one segment's COPY may take, the reader's pace included. */
export const COPY_TIMEOUT = '60s';

/** COPY takes no parameters: the position's two numbers are bigints, written as digits. */
const copyAllSql = (schema: string, from: Position, limit: number): string =>
  `COPY (SELECT e.transaction_id, e.position, e.stream_name, e.revision, e.event_id,
          e.event_type, e.body::text, e.recorded_at, e.previous_hash, e.hash
     FROM ${quoteIdent(schema)}.events e
    WHERE (e.transaction_id, e.position) > ('${BigInt(from.transactionId)}'::xid8, ${BigInt(from.sequence)}::bigint)
      AND e.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
    ORDER BY e.transaction_id, e.position
    LIMIT ${Math.trunc(limit)}) TO STDOUT WITH (FORMAT binary)`;

const positionOf = (row: CopyRow): Position => ({
  transactionId: row[0]!.readBigUInt64BE(0),
  sequence: row[1]!.readBigInt64BE(0),
});

const storedOf = (row: CopyRow): StoredEvent => {
  const [, , stream, revision, id, type, body, at, previous, hash] = row as Buffer[];
  return {
    id: copyUuid(id!),
    type: type!.toString('utf8'),
    streamName: stream!.toString('utf8'),
    revision: revision!.readBigInt64BE(0),
    position: positionOf(row),
    body: body!.toString('utf8'),
    recordedAt: new Date(copyTimestampMs(at!)),
    previousHash: previous!.toString('hex'),
    hash: hash!.toString('hex'),
  };
};

/**
 * The log after `from`, a batch of rows at a time as places in the COPY's buffer (for a
 * reader that wants no object per field: verify), in LOG_COPY_FIELDS order.
 */
export async function* copyAllBatches(
  driver: Required<Pick<SqlDriver, 'copyOut'>>,
  schema: string,
  from: Position = START,
  segment = SEGMENT,
): AsyncGenerator<CopyBatch> {
  const settings = ['enable_sort = off', `statement_timeout = '${COPY_TIMEOUT}'`];
  for (let after = from; ;) {
    let [count, last] = [0, undefined as CopyBatch | undefined];
    const chunks = driver.copyOut(copyAllSql(schema, after, segment), settings);
    for await (const batch of copyBinaryBatches(chunks, LOG_COPY_FIELDS.length)) {
      count += batch.rows;
      last = batch;
      yield batch;
    }
    if (count < segment || last === undefined) return;
    after = batchPosition(last, last.rows - 1);
  }
}

/** The position of row `r` of a batch of the log. */
export const batchPosition = (batch: CopyBatch, r: number): Position => ({
  transactionId: batch.buf.readBigUInt64BE(fieldStart(batch, r, 0)),
  sequence: batch.buf.readBigInt64BE(fieldStart(batch, r, 1)),
});

/**
 * The log after `from`, a batch of rows at a time, each row its fields as the COPY sends them
 * (binary), in LOG_COPY_FIELDS order: for a reader that writes them out as they are (the
 * export). A field is a view, valid until the next batch is asked for.
 */
export async function* copyAllRows(
  driver: Required<Pick<SqlDriver, 'copyOut'>>,
  schema: string,
  from: Position = START,
  segment = SEGMENT,
): AsyncGenerator<readonly CopyRow[]> {
  for await (const batch of copyAllBatches(driver, schema, from, segment)) yield rowsOf(batch);
}

/** The fields of a copied row, in order: xid8, int8, text, int8, uuid, text, text (the
 *  body), timestamptz, bytea, bytea. */
export const LOG_COPY_FIELDS = [
  'transactionId',
  'sequence',
  'streamName',
  'revision',
  'eventId',
  'type',
  'body',
  'recordedAt',
  'previousHash',
  'hash',
] as const;

/** The log after `from` as it streams in, a batch of events at a time. */
export async function* copyAllStored(
  driver: Required<Pick<SqlDriver, 'copyOut'>>,
  schema: string,
  from: Position = START,
): AsyncGenerator<readonly StoredEvent[]> {
  for await (const rows of copyAllRows(driver, schema, from)) yield rows.map(storedOf);
}
