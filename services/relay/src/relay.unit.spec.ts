import { describe, expect, it } from 'vitest';
import { bySendSize } from './relay.js';

const message = (bytes: number, tag: string) => ({ key: tag, value: 'x'.repeat(bytes) });

describe('bySendSize', () => {
  it('keeps a batch that fits in one send', () => {
    const batch = [message(10, 'a'), message(10, 'b'), message(10, 'c')];
    expect(bySendSize(batch, 100)).toEqual([batch]);
  });

  it('cuts where the next message would pass the limit, keeping the order', () => {
    const batch = [40, 40, 40, 10, 90, 5].map((n, i) => message(n, String(i)));
    expect(bySendSize(batch, 100).map((send) => send.map((m) => m.key))).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4', '5'],
    ]);
  });

  it('sends a record larger than the limit alone (the broker then says why it refuses it)', () => {
    const batch = [message(10, 'a'), message(500, 'big'), message(10, 'b')];
    expect(bySendSize(batch, 100).map((send) => send.map((m) => m.key))).toEqual([
      ['a'],
      ['big'],
      ['b'],
    ]);
  });

  it('counts bytes, not characters (Vietnamese text is mostly multi-byte)', () => {
    const batch = [
      { key: 'a', value: 'ạ'.repeat(20) },
      { key: 'b', value: 'ạ'.repeat(20) },
    ];
    // 40 characters, 120 bytes (ạ is 3 bytes in UTF-8).
    expect(bySendSize(batch, 120)).toHaveLength(1);
    expect(bySendSize(batch, 100)).toHaveLength(2);
  });
});
