/**
 * Event lines written straight from the store's binary COPY rows (PostgreSQL): the text around
 * each body and the body's own bytes go into one buffer per batch, so the body is never
 * decoded and encoded again. The line's text comes from lines.ts, as for the paged path (a
 * test holds the two paths to the same bytes).
 */
import type { CopyRow } from '@newsroom/event-store';
import { copyTimestampMs, copyUuid } from '@newsroom/event-store';
import { eventLineHead, eventLineTail } from './lines.js';

/** One growing buffer of lines. */
class LineBuffer {
  private buf: Buffer;
  private at = 0;
  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  private room(bytes: number) {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
  text(s: string) {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at);
  }
  bytes(b: Buffer) {
    this.room(b.length);
    this.at += b.copy(this.buf, this.at);
  }
  get length() {
    return this.at;
  }
  /** What was written, and a fresh start (at the first size: one large body grows one buffer). */
  take(): Buffer {
    const done = this.buf.subarray(0, this.at);
    this.buf = Buffer.allocUnsafe(this.size);
    this.at = 0;
    return done;
  }
}

export interface RawLines {
  /** The line (with its newline) of `row` at leaf `leaf`. */
  readonly event: (row: CopyRow, leaf: number) => void;
  /** Any other line, in its place. */
  readonly line: (text: string) => void;
  /** Everything written since the last call. */
  readonly take: () => Buffer | undefined;
}

export const rawLines = (sizeHint = 1 << 20): RawLines => {
  const out = new LineBuffer(sizeHint);
  return {
    event: (row, leaf) => {
      const [xid, sequence, stream, revision, id, type, body, at, previous, hash] = row as Buffer[];
      out.text(
        eventLineHead(
          leaf,
          xid!.readBigUInt64BE(0),
          sequence!.readBigInt64BE(0),
          stream!.toString('utf8'),
          revision!.readBigInt64BE(0),
          copyUuid(id!),
          type!.toString('utf8'),
          copyTimestampMs(at!),
        ),
      );
      out.bytes(body!);
      out.text(`${eventLineTail(previous!.toString('hex'), hash!.toString('hex'))}\n`);
    },
    line: (text) => out.text(`${text}\n`),
    take: () => (out.length === 0 ? undefined : out.take()),
  };
};
