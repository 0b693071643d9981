/**
 * PostgreSQL's binary COPY format, read (https://www.postgresql.org/docs/15/sql-copy.html):
 * the signature, flags and header extension, then per row a field count and each field's
 * length (-1 for NULL) and bytes, then -1. Rows are handed over as the chunks complete them,
 * their fields as views into the chunk; a row split across chunks waits for the rest (the
 * chunks it needs are joined once, when they are all there). Anything out of the rules throws.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export type CopyRow = readonly (Buffer | null)[];

const malformed = (why: string) => new Error(`not a binary COPY stream: ${why}`);

interface Parsed {
  readonly rows: CopyRow[];
  /** Where the unparsed rest begins. */
  readonly at: number;
  /** Bytes from `at` the next row needs at least (0 after the trailer). */
  readonly need: number;
  readonly ended: boolean;
}

/** The whole rows in `buf` from `at`, each of exactly `fields` fields. */
const parseRows = (buf: Buffer, at: number, fields: number): Parsed => {
  const rows: CopyRow[] = [];
  for (;;) {
    if (buf.length - at < 2) return { rows, at, need: 2, ended: false };
    const count = buf.readInt16BE(at);
    if (count === -1) {
      if (buf.length !== at + 2) throw malformed('bytes after its trailer');
      return { rows, at: at + 2, need: 0, ended: true };
    }
    if (count !== fields) throw malformed(`a row of ${count} fields, not ${fields}`);
    let p = at + 2;
    const row: (Buffer | null)[] = [];
    for (let f = 0; f < count; f++) {
      if (buf.length - p < 4) return { rows, at, need: p + 4 - at, ended: false };
      const length = buf.readInt32BE(p);
      if (length < -1) throw malformed(`a field of length ${length}`);
      if (length === -1) {
        row.push(null);
        p += 4;
        continue;
      }
      if (buf.length - p - 4 < length) return { rows, at, need: p + 4 + length - at, ended: false };
      row.push(buf.subarray(p + 4, p + 4 + length));
      p += 4 + length;
    }
    rows.push(row);
    at = p;
  }
};

/** The rows of a COPY's output as its chunks come, each row of exactly `fields` fields. */
export async function* copyBinaryRows(
  chunks: AsyncIterable<Buffer>,
  fields: number,
): AsyncGenerator<readonly CopyRow[]> {
  const waiting: Buffer[] = [];
  let [waitingBytes, need, headerRead, ended] = [0, 19, false, false];
  for await (const chunk of chunks) {
    if (ended) throw malformed('bytes after its trailer');
    waiting.push(chunk);
    waitingBytes += chunk.length;
    if (waitingBytes < need) continue;
    const buf = waiting.length === 1 ? waiting[0]! : Buffer.concat(waiting, waitingBytes);
    let at = 0;
    if (!headerRead) {
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw malformed('no signature');
      at = 19 + buf.readUInt32BE(15);
      if (buf.length < at) {
        need = at;
        continue;
      }
      headerRead = true;
    }
    const parsed = parseRows(buf, at, fields);
    waiting.length = 0;
    const rest = buf.subarray(parsed.at);
    if (rest.length > 0) waiting.push(rest);
    [waitingBytes, need, ended] = [rest.length, parsed.need, parsed.ended];
    if (parsed.rows.length > 0) yield parsed.rows;
  }
  if (!ended) throw malformed('it ended before its trailer');
}

/** 2000-01-01T00:00:00Z, where PostgreSQL's binary timestamps count from, in Unix µs. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;

/**
 * A timestamptz field as whole Unix epoch ms, rounded half away from zero as
 * `(extract(epoch FROM t) * 1000)::bigint` does (what the event hash covers).
 */
export const copyTimestampMs = (field: Buffer): number => {
  const micros = field.readBigInt64BE(0) + PG_EPOCH_MICROS;
  const ms = micros >= 0n ? (micros + 500n) / 1000n : (micros - 500n) / 1000n;
  return Number(ms);
};

/** A uuid field as its lower-case text. */
export const copyUuid = (field: Buffer): string => {
  const h = field.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
