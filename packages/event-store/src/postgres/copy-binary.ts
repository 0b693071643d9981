/**
 * PostgreSQL's binary COPY format, read (https://www.postgresql.org/docs/15/sql-copy.html):
 * the signature, flags and header extension, then per row a field count and each field's
 * length (-1 for NULL) and bytes, then -1. Rows are handed over as the chunks complete them,
 * their fields as views into the chunk; a row split across chunks waits for the rest (the
 * chunks it needs are joined once, when they are all there). Anything out of the rules throws.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export type CopyRow = readonly (Buffer | null)[];

/**
 * Whole rows of a COPY as places in one buffer, made without an object per field: field `f`
 * of row `r` starts at `spans[2 * (r * width + f)]` and is `spans[2 * (r * width + f) + 1]`
 * bytes long (-1: NULL). Valid until the next batch is asked for.
 */
export interface CopyBatch {
  readonly buf: Buffer;
  readonly rows: number;
  readonly width: number;
  readonly spans: Int32Array;
}

const malformed = (why: string) => new Error(`not a binary COPY stream: ${why}`);

interface Parsed {
  readonly batch: CopyBatch;
  /** Where the unparsed rest begins. */
  readonly at: number;
  /** Bytes from `at` the next row needs at least (0 after the trailer). */
  readonly need: number;
  readonly ended: boolean;
}

/** The whole rows in `buf` from `at`, each of exactly `fields` fields. */
const parseRows = (buf: Buffer, at: number, fields: number): Parsed => {
  let spans = new Int32Array(2 * fields * 64);
  let rows = 0;
  const done = (need: number, ended = false): Parsed => ({
    batch: { buf, rows, width: fields, spans },
    at,
    need,
    ended,
  });
  for (;;) {
    if (buf.length - at < 2) return done(2);
    const count = buf.readInt16BE(at);
    if (count === -1) {
      if (buf.length !== at + 2) throw malformed('bytes after its trailer');
      at += 2;
      return done(0, true);
    }
    if (count !== fields) throw malformed(`a row of ${count} fields, not ${fields}`);
    let p = at + 2;
    let k = 2 * fields * rows;
    if (k + 2 * fields > spans.length) {
      const grown = new Int32Array(spans.length * 2);
      grown.set(spans);
      spans = grown;
    }
    for (let f = 0; f < count; f++, k += 2) {
      if (buf.length - p < 4) return done(p + 4 - at);
      const length = buf.readInt32BE(p);
      if (length < -1) throw malformed(`a field of length ${length}`);
      p += 4;
      spans[k] = p;
      spans[k + 1] = length;
      if (length === -1) continue;
      if (buf.length - p < length) return done(p + length - at);
      p += length;
    }
    rows++;
    at = p;
  }
};

/** The batches of whole rows of a COPY's output as its chunks come, `fields` fields a row. */
export async function* copyBinaryBatches(
  chunks: AsyncIterable<Buffer>,
  fields: number,
): AsyncGenerator<CopyBatch> {
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
    if (parsed.batch.rows > 0) yield parsed.batch;
  }
  if (!ended) throw malformed('it ended before its trailer');
}

/** Where field `f` of row `r` starts in the batch's buffer. */
export const fieldStart = (batch: CopyBatch, r: number, f: number): number =>
  batch.spans[2 * (r * batch.width + f)]!;

/** Field `f` of row `r`'s length in bytes (-1: NULL). */
const fieldLength = (batch: CopyBatch, r: number, f: number): number =>
  batch.spans[2 * (r * batch.width + f) + 1]!;

/** Field `f` of row `r` of a batch: a view into its buffer, or null. */
export const copyField = (batch: CopyBatch, r: number, f: number): Buffer | null => {
  const [start, length] = [fieldStart(batch, r, f), fieldLength(batch, r, f)];
  return length === -1 ? null : batch.buf.subarray(start, start + length);
};

/** Field `f` of row `r` (NOT NULL) as text, without a view of its own. */
export const copyText = (
  batch: CopyBatch,
  r: number,
  f: number,
  encoding: 'utf8' | 'latin1' = 'utf8',
): string => {
  const start = fieldStart(batch, r, f);
  return batch.buf.toString(encoding, start, start + fieldLength(batch, r, f));
};

/** A batch's rows, each its fields as views. */
export const rowsOf = (batch: CopyBatch): CopyRow[] =>
  Array.from({ length: batch.rows }, (_, r) =>
    Array.from({ length: batch.width }, (_, f) => copyField(batch, r, f)),
  );

/** The rows of a COPY's output as its chunks come, each row its fields as views. */
export async function* copyBinaryRows(
  chunks: AsyncIterable<Buffer>,
  fields: number,
): AsyncGenerator<readonly CopyRow[]> {
  for await (const batch of copyBinaryBatches(chunks, fields)) yield rowsOf(batch);
}

/** 2000-01-01T00:00:00Z, where PostgreSQL's binary timestamps count from, in Unix µs. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const SAFE_MICROS = 2n ** 50n;

/**
 * A timestamptz field (at `at` in `buf`) as whole Unix epoch ms, rounded half away from zero as
 * `(extract(epoch FROM t) * 1000)::bigint` does (what the event hash covers): in doubles, exact
 * for any time within 35 years of 2000 (every step stays an integer below 2^53, the quotient
 * far below 2^43), beyond that in BigInt.
 */
export const copyTimestampMs = (buf: Buffer, at = 0): number => {
  const micros = buf.readBigInt64BE(at);
  if (micros > SAFE_MICROS || micros < -SAFE_MICROS) {
    const unix = micros + PG_EPOCH_MICROS;
    return Number(unix >= 0n ? (unix + 500n) / 1000n : (unix - 500n) / 1000n);
  }
  const unix = Number(micros) + Number(PG_EPOCH_MICROS);
  return unix >= 0 ? Math.floor((unix + 500) / 1000) : -Math.floor((-unix + 500) / 1000);
};

/** A uuid field as its lower-case text. */
export const copyUuid = (field: Buffer): string => {
  const h = field.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
