/**
 * PostgreSQL's binary COPY format, read (https://www.postgresql.org/docs/15/sql-copy.html):
 * the signature, flags and header extension, then per row a field count and each field's
 * length (-1 for NULL) and bytes, then -1. Rows are handed over a chunk at a time, their
 * fields as views into the chunk (valid until the next chunk is asked for); a row split across
 * chunks waits for the rest.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export type CopyRow = readonly (Buffer | null)[];

/** The fields of the rows each chunk completes; a malformed stream throws. */
export async function* copyBinaryRows(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<readonly CopyRow[]> {
  let pending: Buffer = Buffer.alloc(0);
  let headerRead = false;
  let ended = false;
  for await (const chunk of chunks) {
    const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    if (!headerRead) {
      if (buf.length < 19) {
        pending = buf;
        continue;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
      const extension = buf.readUInt32BE(15);
      if (buf.length < 19 + extension) {
        pending = buf;
        continue;
      }
      at = 19 + extension;
      headerRead = true;
    }
    const rows: CopyRow[] = [];
    for (;;) {
      if (buf.length - at < 2) break;
      const count = buf.readInt16BE(at);
      if (count === -1) {
        ended = true;
        at += 2;
        break;
      }
      let p = at + 2;
      const fields: (Buffer | null)[] = [];
      for (let f = 0; f < count; f++) {
        if (buf.length - p < 4) break;
        const length = buf.readInt32BE(p);
        p += 4;
        if (length === -1) {
          fields.push(null);
          continue;
        }
        if (buf.length - p < length) break;
        fields.push(buf.subarray(p, p + length));
        p += length;
      }
      if (fields.length < count) break; // the rest of the row is in the next chunk
      rows.push(fields);
      at = p;
    }
    pending = buf.subarray(at);
    if (rows.length > 0) yield rows;
  }
  if (!ended || pending.length > 0) throw new Error('the binary COPY stream ended early');
}

/** 2000-01-01T00:00:00Z, where PostgreSQL's binary timestamps count from, in Unix ms. */
const PG_EPOCH_MS = 946_684_800_000n;

/** A timestamptz field: microseconds since 2000, as whole epoch ms (rounded as ::bigint does). */
export const copyTimestampMs = (field: Buffer): number => {
  const micros = field.readBigInt64BE(0);
  const ms = micros >= 0n ? (micros + 500n) / 1000n : (micros - 500n) / 1000n;
  return Number(ms + PG_EPOCH_MS);
};

/** A uuid field as its lower-case text. */
export const copyUuid = (field: Buffer): string => {
  const h = field.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
