/** The byte checks on JSON bodies, against the platform's own strict UTF-8 decoder and JSON.parse. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKey, invalidUtf8Offset } from './json-text.js';

const runs = { seed: 7, numRuns: 2_000 };
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const decodes = (bytes: Uint8Array): boolean => {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
};

describe('invalidUtf8Offset', () => {
  it('agrees with a strict decoder, and everything before the offset is well-formed', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.string({ unit: 'binary' }),
        (noise, text) => {
          const bytes = Buffer.concat([Buffer.from(text, 'utf8'), noise]);
          const offset = invalidUtf8Offset(bytes);
          expect(offset === -1).toBe(decodes(bytes));
          if (offset !== -1) {
            expect(decodes(bytes.subarray(0, offset))).toBe(true);
            expect(decodes(bytes.subarray(0, offset + 4))).toBe(false);
          }
        },
      ),
      runs,
    );
  });

  it.each([
    ['overlong C0 AF', [0x41, 0xc0, 0xaf], 1],
    ['FF', [0xff], 0],
    ['surrogate ED A0 80', [0x61, 0x62, 0xed, 0xa0, 0x80], 2],
    ['truncated E1 BA', [0xe1, 0xba], 0],
    ['past U+10FFFF F4 90 80 80', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a stray continuation byte', [0x61, 0x80], 1],
  ])('finds %s', (_, bytes, offset) => {
    expect(invalidUtf8Offset(Buffer.from(bytes))).toBe(offset);
  });
});

describe('duplicateKey', () => {
  it('finds none in anything JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(duplicateKey(Buffer.from(JSON.stringify(value)))).toBeUndefined();
      }),
      runs,
    );
  });

  it('finds a key written twice into any object, with its path', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
        fc.array(fc.oneof(fc.string(), fc.nat({ max: 3 })), { maxLength: 4 }),
        (object, where) => {
          // Nest the object at a path of keys and array indexes, then repeat its first key.
          let text = JSON.stringify(object);
          const [first] = Object.keys(object);
          text = `{${JSON.stringify(first)}:0,${text.slice(1)}`;
          const path: string[] = [];
          for (const step of [...where].reverse()) {
            if (typeof step === 'number') {
              text = `[${Array.from({ length: step }, () => 'null').join(',')}${step > 0 ? ',' : ''}${text}]`;
            } else text = `{${JSON.stringify(step)}:${text}}`;
          }
          for (const step of where) path.push(String(step));
          expect(duplicateKey(Buffer.from(text))).toEqual({ path: [...path, first].join('.') });
        },
      ),
      runs,
    );
  });

  it('compares keys as JSON.parse reads them', () => {
    expect(duplicateKey(Buffer.from('{"a":1,"\\u0061":2}'))).toEqual({ path: 'a' });
    expect(duplicateKey(Buffer.from('{"a\\"":1,"a":2}'))).toBeUndefined();
    expect(duplicateKey(Buffer.from('[{"a":1},{"a":2}]'))).toBeUndefined();
    expect(duplicateKey(Buffer.from('{"x":{"a":1},"y":{"a":2}}'))).toBeUndefined();
  });

  it('reads each byte about once: a body of 100,000 strings is not scanned once per string', () => {
    let scanned = 0;
    const bytes = Buffer.from(JSON.stringify(Array.from({ length: 100_000 }, () => '')));
    // Its indexOf counts the bytes it looks at (the scanner's only searches).
    const search = bytes.indexOf.bind(bytes) as (value: number, from: number) => number;
    const counting = (value: number, from = 0): number => {
      const found = search(value, from);
      scanned += (found === -1 ? bytes.length : found + 1) - from;
      return found;
    };
    bytes.indexOf = counting as unknown as Buffer['indexOf'];
    expect(duplicateKey(bytes)).toBeUndefined();
    expect(scanned).toBeLessThanOrEqual(2 * bytes.length);
  });
});
