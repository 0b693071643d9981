/**
 * The global log as verify reads it, from its start to the gap-free horizon, a batch at a time:
 * by binary COPY where the driver has it (PostgreSQL: no text for numbers, ids or hashes, no
 * object per field), else page after page of readAll's rows (PGlite). Both give the same rows
 * in the same order, each with its columns as stored, trusted for nothing yet.
 */
import type { Position } from '../port.js';
import { START } from '../port.js';
import type { BinaryHash } from '../sha256.js';
import { binaryOfHex } from '../sha256.js';
import type { CopyBatch } from './copy-binary.js';
import { copyField, copyText, copyTimestampMs, copyUuid, fieldStart } from './copy-binary.js';
import { batchPosition, copyAllBatches, LOG_COPY_FIELDS } from './copy-log.js';
import type { SqlDriver, SqlQueryable } from './driver.js';
import type { EventRow } from './sql.js';
import { positionParams, readAllSql } from './sql.js';

/** One stored event: hashes as binary strings (see sha256.ts), the body as its UTF-8 bytes. */
export interface LogRow {
  readonly position: Position;
  readonly streamName: string;
  readonly revision: bigint;
  readonly eventId: string;
  readonly type: string;
  readonly body: Buffer;
  /** recorded_at in whole Unix ms, as the hash covers it. */
  readonly recordedMs: number;
  readonly previousHash: BinaryHash;
  readonly hash: BinaryHash;
}

/** Each copied field's place in a row. */
const FIELD = Object.fromEntries(LOG_COPY_FIELDS.map((f, i) => [f, i])) as Record<
  (typeof LOG_COPY_FIELDS)[number],
  number
>;

/** Row `r` of a copied batch. Every field of the log is NOT NULL. */
const rowOfBatch = (batch: CopyBatch, r: number): LogRow => ({
  position: batchPosition(batch, r),
  streamName: copyText(batch, r, FIELD.streamName),
  revision: batch.buf.readBigInt64BE(fieldStart(batch, r, FIELD.revision)),
  eventId: copyUuid(copyField(batch, r, FIELD.eventId)!),
  type: copyText(batch, r, FIELD.type),
  body: copyField(batch, r, FIELD.body)!,
  recordedMs: copyTimestampMs(batch.buf, fieldStart(batch, r, FIELD.recordedAt)),
  // As long as stored (a bytea of another length is a hash that cannot match).
  previousHash: copyText(batch, r, FIELD.previousHash, 'latin1'),
  hash: copyText(batch, r, FIELD.hash, 'latin1'),
});

/** The log by COPY. */
async function* copiedLogRows(
  driver: Required<Pick<SqlDriver, 'copyOut'>>,
  schema: string,
): AsyncGenerator<readonly LogRow[]> {
  for await (const batch of copyAllBatches(driver, schema, START)) {
    yield Array.from({ length: batch.rows }, (_, r) => rowOfBatch(batch, r));
  }
}

const rowOfText = (row: EventRow): LogRow => ({
  position: { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) },
  streamName: row.stream_name,
  revision: BigInt(row.revision),
  eventId: row.event_id,
  type: row.event_type,
  body: Buffer.from(row.body, 'utf8'),
  recordedMs: Number(row.recorded_ms),
  previousHash: binaryOfHex(row.previous_hash),
  hash: binaryOfHex(row.hash),
});

/** The log by readAll's query, `batchSize` rows a page, the next page read while one is checked. */
async function* pagedLogRows(
  db: SqlQueryable,
  schema: string,
  batchSize: number,
): AsyncGenerator<readonly LogRow[]> {
  const page = (from: Position) =>
    db
      .query<EventRow>(readAllSql(schema), [...positionParams(from), batchSize])
      .then((r) => r.rows.map(rowOfText));
  let next = page(START);
  for (;;) {
    const rows = await next;
    const last = rows[rows.length - 1];
    if (rows.length === batchSize && last !== undefined) {
      next = page(last.position);
      next.catch(() => undefined); // awaited on the next turn; unobserved if this page fails
    }
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
  }
}

/** The whole log, by COPY when `db` can, else by pages of `batchSize`. */
export const logRows = (
  db: SqlQueryable & Pick<SqlDriver, 'copyOut'>,
  schema: string,
  batchSize: number,
): AsyncGenerator<readonly LogRow[]> =>
  db.copyOut === undefined
    ? pagedLogRows(db, schema, batchSize)
    : copiedLogRows({ copyOut: db.copyOut.bind(db) }, schema);
