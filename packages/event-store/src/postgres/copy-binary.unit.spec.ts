/**
 * The binary COPY reader on output built by hand to the format's rules: the same rows whatever
 * the chunk boundaries (a header extension skipped, NULLs and empty fields kept, a large field
 * over many chunks), and anything out of the rules refused: a stream cut anywhere, a row of
 * another width, a negative length, bytes after the end. Times as the event hash has them.
 */
import { describe, expect, it } from 'vitest';
import { copyBinaryRows, copyTimestampMs, copyUuid } from './copy-binary.js';

const header = Buffer.concat([
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  Buffer.from([0, 0, 0, 0]), // flags
  Buffer.from([0, 0, 0, 2, 0xab, 0xcd]), // a two-byte header extension, skipped
]);
const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const tuple = (fields: (string | null)[]) =>
  Buffer.concat([
    int16(fields.length),
    ...fields.map((f) =>
      f === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(f)), Buffer.from(f)]),
    ),
  ]);
const rows: (string | null)[][] = [
  ['Hải Phòng', 'một', null],
  ['', 'x'.repeat(3000), 'z'],
  ['€𝄞', null, '"\\'],
];
const stream = Buffer.concat([header, ...rows.map(tuple), int16(-1)]);

async function* chunked(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
const read = async (buf: Buffer, size = 64, fields = 3) => {
  const out: (string | null)[][] = [];
  for await (const batch of copyBinaryRows(chunked(buf, size), fields)) {
    for (const row of batch) out.push(row.map((f) => (f === null ? null : f.toString('utf8'))));
  }
  return out;
};

describe('copyBinaryRows', () => {
  it('reads the same rows whatever the chunk boundaries', async () => {
    for (const size of [1, 2, 3, 5, 7, 13, 64, 1000, stream.length]) {
      expect(await read(stream, size), `chunks of ${size}`).toEqual(rows);
    }
  });

  it('refuses output cut anywhere, rows of another width, bad lengths and trailing bytes', async () => {
    for (let cut = 0; cut < stream.length; cut += 7) {
      await expect(read(stream.subarray(0, cut), 5), `cut at ${cut}`).rejects.toThrow(
        /not a binary COPY/,
      );
    }
    await expect(read(stream, 64, 4)).rejects.toThrow(/a row of 3 fields, not 4/);
    const negative = Buffer.concat([header, int16(1), int32(-7), int16(-1)]);
    await expect(read(negative, 64, 1)).rejects.toThrow(/a field of length -7/);
    await expect(read(Buffer.concat([stream, Buffer.from([0])]), 5)).rejects.toThrow(
      /after its trailer/,
    );
    await expect(read(Buffer.from('id\tname\n'.repeat(4)))).rejects.toThrow(/no signature/);
  });

  it('reads timestamps as the hash has them (epoch ms, half a ms away from zero) and uuids', () => {
    const at = (ms: number, extraMicros = 0) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE((BigInt(ms) - 946_684_800_000n) * 1000n + BigInt(extraMicros));
      return b;
    };
    const t = Date.UTC(2019, 3, 8, 14, 0, 0, 123);
    expect(copyTimestampMs(at(t))).toBe(t);
    expect(copyTimestampMs(at(t, 499))).toBe(t);
    expect(copyTimestampMs(at(t, 500))).toBe(t + 1);
    const before2000 = Date.UTC(1999, 11, 31, 23, 59, 59, 998);
    expect(copyTimestampMs(at(before2000, 500))).toBe(before2000 + 1); // as PostgreSQL rounds it
    expect(copyTimestampMs(at(-5, -500))).toBe(-6); // before 1970: away from zero
    // Far from 2000 (past the doubles' exact range) and at its edge, in both directions.
    for (const ms of [Date.UTC(2200, 0, 1), Date.UTC(1800, 0, 1), 946_684_800_000 + 2 ** 40]) {
      for (const extra of [0, 499, 500, -499, -500]) {
        const unix = BigInt(ms) * 1000n + BigInt(extra);
        const expected = Number(unix >= 0n ? (unix + 500n) / 1000n : (unix - 500n) / 1000n);
        expect(copyTimestampMs(at(ms, extra)), `${ms} ${extra}`).toBe(expected);
      }
    }
    const id = Buffer.from('0b7e6a3c1f0e4c559c1e4c9a7c3f2b10', 'hex');
    expect(copyUuid(id)).toBe('0b7e6a3c-1f0e-4c55-9c1e-4c9a7c3f2b10');
  });
});
