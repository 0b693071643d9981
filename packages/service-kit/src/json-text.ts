/**
 * Checks on a JSON body's bytes that JSON.parse cannot make: official text must arrive as valid
 * UTF-8 (never silently replaced by U+FFFD), and an object must not name a key twice (JSON.parse
 * would keep the last one without a word). Both run before the body is parsed.
 */
import { isUtf8 } from 'node:buffer';

/** The byte offset of the first byte that is not part of well-formed UTF-8 (Unicode Table 3-7),
 *  or -1: overlong forms, surrogates (ED A0..BF), code points past U+10FFFF, stray
 *  continuation bytes and truncated sequences are all ill-formed. */
export const invalidUtf8Offset = (bytes: Uint8Array): number => {
  if (isUtf8(bytes)) return -1;
  const continuation = (i: number, low = 0x80, high = 0xbf): boolean =>
    i < bytes.length && (bytes[i] as number) >= low && (bytes[i] as number) <= high;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // [length, first continuation byte's range] for each lead byte.
    let length = 0;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b === 0xe0) [length, low] = [3, 0xa0];
    else if (b === 0xed) [length, high] = [3, 0x9f];
    else if (b >= 0xe1 && b <= 0xef) length = 3;
    else if (b === 0xf0) [length, low] = [4, 0x90];
    else if (b === 0xf4) [length, high] = [4, 0x8f];
    else if (b >= 0xf1 && b <= 0xf3) length = 4;
    else return i; // C0, C1, F5..FF or a continuation byte where a character should start
    if (!continuation(i + 1, low, high)) return i;
    for (let k = 2; k < length; k++) if (!continuation(i + k)) return i;
    i += length;
  }
  return -1;
};

type Frame =
  | { readonly kind: 'object'; readonly keys: Set<string>; expectKey: boolean; key: string }
  | { readonly kind: 'array'; index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Finds string ends in `bytes`: `end(start)` is the index of the closing quote of the string
 * whose opening quote is at `start`. The next backslash is searched for once and remembered
 * until passed, so a body of many strings costs one pass, not one pass per string.
 */
const stringEnds = (bytes: Buffer) => {
  let backslash = -1; // the next backslash at or after the last search; -1: search again
  return (start: number): number => {
    let from = start + 1;
    for (;;) {
      const quote = bytes.indexOf(QUOTE, from);
      if (quote === -1) return bytes.length;
      if (backslash !== bytes.length && backslash < from) {
        backslash = bytes.indexOf(BACKSLASH, from);
        if (backslash === -1) backslash = bytes.length; // none left
      }
      if (backslash > quote) return quote;
      from = backslash + 2; // skip the escaped character, whatever it is
    }
  };
};

const pathOf = (stack: readonly Frame[], last: string): string =>
  [...stack.slice(0, -1).map((f) => (f.kind === 'object' ? f.key : String(f.index))), last].join(
    '.',
  );

/**
 * The first key that an object of `bytes` names twice, with its path (`data.content.headline`),
 * or undefined. Keys are compared as JSON.parse would read them (`"a"` and `"\u0061"` are one
 * key). Text that is not valid JSON is left for JSON.parse to refuse.
 */
export const duplicateKey = (bytes: Buffer): { readonly path: string } | undefined => {
  const stack: Frame[] = [];
  const stringEnd = stringEnds(bytes);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const top = stack[stack.length - 1];
    switch (b) {
      case 0x7b: // {
        stack.push({ kind: 'object', keys: new Set(), expectKey: true, key: '' });
        break;
      case 0x5b: // [
        stack.push({ kind: 'array', index: 0 });
        break;
      case 0x7d: // }
      case 0x5d: // ]
        stack.pop();
        break;
      case 0x2c: // ,
        if (top?.kind === 'object') top.expectKey = true;
        else if (top?.kind === 'array') top.index++;
        break;
      case QUOTE: {
        const end = stringEnd(i);
        if (top?.kind === 'object' && top.expectKey) {
          const raw = bytes.toString('utf8', i + 1, end);
          let key = raw;
          if (raw.includes('\\')) {
            try {
              key = JSON.parse(`"${raw}"`) as string;
            } catch {
              return undefined; // malformed: JSON.parse will say where
            }
          }
          if (top.keys.has(key)) return { path: pathOf(stack, key) };
          top.keys.add(key);
          top.key = key;
          top.expectKey = false;
        }
        i = end;
        break;
      }
      default:
        break; // white space, ':', numbers and literals
    }
  }
  return undefined;
};
