/**
 * Checks that a text is RFC 8785 canonical JSON in one pass over its characters, building no
 * value: no whitespace; members in order of their names (UTF-16 code units); strings escaped
 * exactly as JCS writes them (only ", \, and the control characters, \b \t \n \f \r short and
 * the others as lower-case \u00xx); numbers in their shortest round-trip form. It answers the
 * top-level object's member names and its string members, which is what verify compares with
 * an event's columns. A member name holding an escape is left to canonicalJson ('unsure'); a
 * value nested deeper than MAX_DEPTH is not canonical.
 *
 * It reads either the text itself or its UTF-8 bytes viewed one character a byte (latin1), which
 * costs no decoding: every character JSON gives meaning to is ASCII, and a byte of a multi-byte
 * character is 0x80 or above, so it is plain string content either way. Only member order
 * differs (bytes sort by code point, JCS by UTF-16 unit), so in that mode a member name with a
 * byte past ASCII is 'unsure', and the strings answered are byte views too.
 */
export type CanonicalScan =
  | {
      readonly canonical: true;
      readonly keys: readonly string[];
      readonly strings: ReadonlyMap<string, string>;
    }
  | { readonly canonical: false }
  | 'unsure';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SHORT = new Set([0x22, 0x5c, 0x62, 0x66, 0x6e, 0x72, 0x74]); // " \ b f n r t
const HEX = /^[0-9a-f]{4}$/;
const HAS_SHORT_FORM = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

/** Where a scan stands: one text at a time (the scan is synchronous), no closure per call. */
let text = '';
let i = 0;
const NOT_CANONICAL = { canonical: false } as const;
const UNSURE = Symbol('unsure');
const BAD = Symbol('bad');

/** A run of string content that needs no look: not ", \\ or a control character. */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON forbids raw
const PLAIN = /[^"\\\u0000-\u001f]*/y;
/** The same for a member name read as bytes: ASCII only (see the header). */
const PLAIN_ASCII = /[\u0020\u0021\u0023-\u005b\u005d-\u007f]*/y;
/** How a member name's content is read in this scan: PLAIN, or PLAIN_ASCII for bytes. */
let keyRun = PLAIN;

/** The string at i (past its closing quote); its raw text, or BAD (UNSURE for a member name
 *  past ASCII in the byte view). Sets `escaped`. */
let escaped = false;
function scanString(run: RegExp = PLAIN): string | typeof BAD | typeof UNSURE {
  const start = ++i;
  escaped = false;
  for (;;) {
    run.lastIndex = i;
    run.test(text);
    i = run.lastIndex;
    const c = text.charCodeAt(i);
    if (c === 0x22) break;
    if (c !== 0x5c) return c >= 0x80 ? UNSURE : BAD; // NaN: the text ended
    escaped = true;
    const e = text.charCodeAt(i + 1);
    if (e === 0x75) {
      const hex = text.slice(i + 2, i + 6);
      if (!HEX.test(hex)) return BAD;
      const code = parseInt(hex, 16);
      if (code >= 0x20 || HAS_SHORT_FORM.has(code)) return BAD;
      i += 6;
      continue;
    }
    if (!SHORT.has(e)) return BAD;
    i += 2;
  }
  const raw = text.slice(start, i);
  i++;
  return raw;
}

function scanLiteral(word: string): boolean {
  if (!text.startsWith(word, i)) return false;
  i += word.length;
  return true;
}

/** Nesting past this is not taken as canonical (no stored event nests so deep; the stack holds). */
export const MAX_DEPTH = 256;

/** The value at i; false when not canonical, UNSURE for an escaped member name. */
function scanValue(
  depth: number,
  keys?: string[],
  strings?: Map<string, string>,
): boolean | typeof UNSURE {
  const c = text.charCodeAt(i);
  if ((c === 0x7b || c === 0x5b) && depth >= MAX_DEPTH) return false;
  if (c === 0x7b) {
    i++;
    if (text.charCodeAt(i) === 0x7d) {
      i++;
      return true;
    }
    let previous: string | undefined;
    for (;;) {
      if (text.charCodeAt(i) !== 0x22) return false;
      const key = scanString(keyRun);
      if (key === BAD) return false;
      if (key === UNSURE || escaped) return UNSURE;
      if (previous !== undefined && !(previous < key)) return false;
      previous = key;
      if (text.charCodeAt(i) !== 0x3a) return false;
      i++;
      if (keys !== undefined) keys.push(key);
      if (strings !== undefined && text.charCodeAt(i) === 0x22) {
        const at = i;
        const s = scanString();
        if (s === BAD || s === UNSURE) return false;
        strings.set(key, escaped ? (JSON.parse(text.slice(at, i)) as string) : s);
      } else {
        const inner = scanValue(depth + 1);
        if (inner !== true) return inner;
      }
      const next = text.charCodeAt(i++);
      if (next === 0x7d) return true;
      if (next !== 0x2c) return false;
    }
  }
  if (c === 0x5b) {
    i++;
    if (text.charCodeAt(i) === 0x5d) {
      i++;
      return true;
    }
    for (;;) {
      const inner = scanValue(depth + 1);
      if (inner !== true) return inner;
      const next = text.charCodeAt(i++);
      if (next === 0x5d) return true;
      if (next !== 0x2c) return false;
    }
  }
  if (c === 0x22) return typeof scanString() === 'string';
  if (c === 0x74) return scanLiteral('true');
  if (c === 0x66) return scanLiteral('false');
  if (c === 0x6e) return scanLiteral('null');
  NUMBER.lastIndex = i;
  const match = NUMBER.exec(text);
  if (match === null || match[0] === '') return false;
  const token = match[0];
  if (JSON.stringify(Number(token)) !== token) return false;
  i += token.length;
  return true;
}

/** The scan of a text, or (`bytes`) of UTF-8 bytes viewed as latin1 (see the header). */
export const scanCanonical = (input: string, bytes = false): CanonicalScan => {
  text = input;
  i = 0;
  keyRun = bytes ? PLAIN_ASCII : PLAIN;
  const keys: string[] = [];
  const strings = new Map<string, string>();
  const result = input.charCodeAt(0) === 0x7b ? scanValue(0, keys, strings) : scanValue(0);
  text = '';
  if (result === UNSURE) return 'unsure';
  if (result !== true || i !== input.length) return NOT_CANONICAL;
  return { canonical: true, keys, strings };
};
