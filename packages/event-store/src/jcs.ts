/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for plain JavaScript JSON values.
 *
 * - object members sorted by their names as arrays of UTF-16 code units, no whitespace;
 * - numbers in the ECMAScript shortest round-trip form (`Number.prototype.toString`),
 *   with -0 written as 0; NaN and the infinities are rejected;
 * - strings escaped as JSON.stringify does (", \, and U+0000..U+001F; \b \t \n \f \r in
 *   short form, the others as lower-case \u00xx); everything else written as is (UTF-8 when
 *   encoded), so NFC text stays byte-identical. Lone surrogates are rejected (I-JSON).
 *
 * Stricter than JSON.stringify on purpose, because the output is hashed: only null,
 * booleans, finite numbers, strings, arrays and plain objects are accepted. A `Date`, a
 * `Map`, a class instance, a bigint, a function or an `undefined` array element throws
 * instead of being silently converted. Object members whose value is `undefined` are
 * left out, as JSON.stringify does (so `{ a: undefined }` and `{}` are the same document).
 */
export function canonicalJson(value: unknown): string {
  const path: (string | number)[] = [];
  try {
    return serialize(value, path);
  } catch (error) {
    if (error instanceof PathlessError) throw new NotJsonError(formatPath(path), error.message);
    throw error;
  }
}

/** Thrown by canonicalJson for a value that is not a JSON value; `path` says where. */
export class NotJsonError extends TypeError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'NotJsonError';
  }
}

// The path is only spelled out when something fails, so the hot path allocates no strings for it.
class PathlessError extends Error {}

function formatPath(path: readonly (string | number)[]): string {
  let out = '$';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `.${part}`;
  return out;
}

const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

function serializeString(s: string): string {
  if (!isWellFormed(s)) throw new PathlessError('string holds a lone surrogate');
  return JSON.stringify(s);
}

function serialize(value: unknown, path: (string | number)[]): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new PathlessError(`${value} is not a JSON number`);
      // JSON.stringify(number) is Number.prototype.toString, which RFC 8785 adopts; -0 -> "0".
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          path.push(i);
          if (item === undefined) throw new PathlessError('undefined in an array');
          out += (i === 0 ? '' : ',') + serialize(item, path);
          path.pop();
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        throw new PathlessError(`${kind} is not a plain JSON object`);
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 asks for.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        path.push(key);
        out += `${first ? '' : ','}${serializeString(key)}:${serialize(member, path)}`;
        path.pop();
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new PathlessError(`${typeof value} is not a JSON value`);
  }
}

/** Whether every object in a parsed JSON value has its members in RFC 8785 order. */
const membersSorted = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(membersSorted);
  const keys = Object.keys(value);
  for (let i = 1; i < keys.length; i++) if (!(keys[i - 1]! < keys[i]!)) return false;
  return keys.every((k) => membersSorted((value as Record<string, unknown>)[k]));
};

/**
 * Whether `text` is the canonical form of `parsed` (its JSON.parse), the fast way: JSON.stringify
 * writes strings and numbers as RFC 8785 does and keeps the parsed member order, so the text is
 * canonical when it reads back identically with every object's members sorted. Where that
 * shortcut cannot judge (integer-like member names, which JavaScript reorders; escaped
 * surrogates, which RFC 8785 refuses), it answers by canonicalJson itself.
 */
export const isCanonicalJson = (parsed: unknown, text: string): boolean => {
  if (!/\\u[dD]/.test(text) && JSON.stringify(parsed) === text && membersSorted(parsed)) {
    return true;
  }
  try {
    return canonicalJson(parsed) === text;
  } catch {
    return false;
  }
};
