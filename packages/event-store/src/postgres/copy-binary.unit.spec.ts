/**
 * The binary COPY reader on a stream built by hand to the format's rules: the same rows
 * whatever the chunk boundaries (a row, a length or the header split anywhere), NULLs, and a
 * stream that stops before its trailer refused.
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
  ['', 'x'.repeat(300), 'z'],
  ['€𝄞', null, '"\\'],
];
const stream = Buffer.concat([header, ...rows.map(tuple), int16(-1)]);

async function* chunked(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}
const read = async (chunks: AsyncIterable<Buffer>) => {
  const out: (string | null)[][] = [];
  for await (const batch of copyBinaryRows(chunks)) {
    for (const row of batch) out.push(row.map((f) => (f === null ? null : f.toString('utf8'))));
  }
  return out;
};

describe('copyBinaryRows', () => {
  it('reads the same rows whatever the chunk boundaries', async () => {
    for (const size of [1, 2, 3, 5, 7, 13, 64, stream.length]) {
      expect(await read(chunked(stream, size)), `chunks of ${size}`).toEqual(rows);
    }
  });

  it('refuses a stream cut before its trailer, or not a binary COPY', async () => {
    await expect(read(chunked(stream.subarray(0, stream.length - 2), 16))).rejects.toThrow(
      /ended early/,
    );
    await expect(read(chunked(Buffer.from('id\tname\n'.repeat(4)), 8))).rejects.toThrow(
      /not a binary COPY/,
    );
  });

  it('reads timestamps as epoch milliseconds and uuids as their text', () => {
    const at = Buffer.alloc(8);
    // 2019-04-08T14:00:00.123Z, in microseconds since 2000-01-01.
    at.writeBigInt64BE(BigInt(Date.UTC(2019, 3, 8, 14, 0, 0, 123) - 946_684_800_000) * 1000n);
    expect(copyTimestampMs(at)).toBe(Date.UTC(2019, 3, 8, 14, 0, 0, 123));
    const id = Buffer.from('0b7e6a3c1f0e4c559c1e4c9a7c3f2b10', 'hex');
    expect(copyUuid(id)).toBe('0b7e6a3c-1f0e-4c55-9c1e-4c9a7c3f2b10');
  });
});
