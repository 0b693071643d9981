/**
 * Scalars. Official text is a record: text codecs accept any well-formed string and decode it
 * to Unicode NFC, nothing else (no trimming, no whitespace or punctuation "fixing").
 * Lengths are counted in Unicode code points after NFC.
 */
import * as t from 'io-ts';
import { describeCodec, patternSchema } from './json-schema.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as E from 'fp-ts/lib/Either.js';

const nativeIsWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** True when `s` has no lone surrogate (`String.prototype.isWellFormed`, native on Node 20). */
export const isWellFormed = (s: string): boolean => {
  if (nativeIsWellFormed !== undefined) return nativeIsWellFormed.call(s);
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return false;
    }
    if (code >= 0xdc00 && code <= 0xdfff) return false;
  }
  return true;
};

/** Length in Unicode code points. */
export const codePointLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Whether `s` has at most `max` code points; counts them only when UTF-16 length says it may not. */
const withinCodePoints = (s: string, max: number): boolean =>
  s.length <= max || codePointLength(s) <= max;

const nfcProblem = (s: string): string | undefined =>
  !isWellFormed(s)
    ? 'ill-formed UTF-16 (lone surrogate)'
    : s.includes('\u0000')
      ? 'must not contain NUL (U+0000)'
      : undefined;

/** Any string without lone surrogates or NUL; decodes to `s.normalize('NFC')`. */
export const NfcText = new t.Type<string, string, unknown>(
  'NfcText',
  (u): u is string =>
    typeof u === 'string' && nfcProblem(u) === undefined && u.normalize('NFC') === u,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a string');
    const problem = nfcProblem(u);
    return problem === undefined ? t.success(u.normalize('NFC')) : t.failure(u, c, problem);
  },
  t.identity,
);
export type NfcText = t.TypeOf<typeof NfcText>;
describeCodec(NfcText, {
  type: 'string',
  description: 'Unicode text, normalized to NFC; no NUL and no lone surrogate',
});

const notBlank = /\S/u;

/** NFC text that is not empty and not only whitespace: the rule text was stored under before
 *  `VisibleText`, kept for reading what was stored (see `RecordedContent`). */
export const NonEmptyText = new t.Type<string, string, unknown>(
  'NonEmptyText',
  (u): u is string => NfcText.is(u) && notBlank.test(u),
  (u, c) =>
    pipe(
      NfcText.validate(u, c),
      E.chain((s) => (notBlank.test(s) ? t.success(s) : t.failure(u, c, 'must not be blank'))),
    ),
  t.identity,
);
export type NonEmptyText = t.TypeOf<typeof NonEmptyText>;
describeCodec(NonEmptyText, {
  type: 'string',
  minLength: 1,
  description: 'NFC text, not only white space',
});

/** A code point a reader can see: not white space, a control, a format character (U+200B,
 *  U+200F, U+FEFF...) or another default-ignorable one (U+3164...). */
const visible = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

/** NFC text with at least one visible character: what a command's text must be. */
export const VisibleText = new t.Type<string, string, unknown>(
  'VisibleText',
  (u): u is string => NfcText.is(u) && visible.test(u),
  (u, c) =>
    pipe(
      NfcText.validate(u, c),
      E.chain((s) =>
        visible.test(s)
          ? t.success(s)
          : t.failure(
              u,
              c,
              notBlank.test(s)
                ? 'must contain a visible character, not only invisible ones such as U+200B'
                : 'must not be blank',
            ),
      ),
    ),
  t.identity,
);
export type VisibleText = t.TypeOf<typeof VisibleText>;
describeCodec(VisibleText, {
  type: 'string',
  minLength: 1,
  description: 'NFC text with at least one visible character',
});

/**
 * How much a text must hold: `visible` (commands), `nonBlank` (how records were checked before
 * `visible` existed: the codecs that read them keep it), `any` (may be empty).
 */
export type TextRule = 'visible' | 'nonBlank' | 'any';

const ruleCodec = (rule: TextRule): t.Type<string, string, unknown> =>
  rule === 'visible' ? VisibleText : rule === 'nonBlank' ? NonEmptyText : NfcText;

/** NFC text of at most `max` code points, holding what `rule` asks. */
export const boundedText = (
  name: string,
  max: number,
  rule: TextRule = 'visible',
): t.Type<string, string, unknown> => {
  const base = ruleCodec(rule);
  const codec = new t.Type<string, string, unknown>(
    name,
    (u): u is string => base.is(u) && withinCodePoints(u, max),
    (u, c) =>
      pipe(
        base.validate(u, c),
        E.chain((s) =>
          withinCodePoints(s, max)
            ? t.success(s)
            : t.failure(u, c, `must be at most ${max} characters (got ${codePointLength(s)})`),
        ),
      ),
    t.identity,
  );
  // Counted once in NFC, which JSON Schema cannot say: a maxLength would refuse decomposed
  // text (NFD, as some keyboards send) that fits once composed. Said in words and an extension.
  return describeCodec(codec, (of) => {
    const base = of(ruleCodec(rule));
    return {
      ...base,
      description: `${String(base['description'])}; at most ${max} characters (code points) once in NFC`,
      'x-max-code-points-in-nfc': max,
    };
  });
};

/** A string matched by `pattern` (checked as is: no normalization), at most `max` long. */
export const patternText = (
  name: string,
  pattern: RegExp,
  max: number,
  message: string,
  check: (s: string) => boolean = () => true,
): t.Type<string, string, unknown> =>
  describeCodec(
    new t.Type<string, string, unknown>(
      name,
      (u): u is string => typeof u === 'string' && u.length <= max && pattern.test(u) && check(u),
      (u, c) => {
        if (typeof u !== 'string') return t.failure(u, c, 'expected a string');
        if (u.length > max) return t.failure(u, c, `must be at most ${max} characters`);
        return pattern.test(u) && check(u) ? t.success(u) : t.failure(u, c, message);
      },
      t.identity,
    ),
    { type: 'string', maxLength: max, ...patternSchema(pattern), description: message },
  );

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** RFC 9562 UUID text (any version). Accepted in either case, decoded to lower case so that a
 *  stream name `article-<uuid>` is the same whatever case the tool sent. */
export const Uuid = new t.Type<string, string, unknown>(
  'Uuid',
  (u): u is string => typeof u === 'string' && uuidPattern.test(u),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a UUID string');
    const lower = u.toLowerCase();
    return uuidPattern.test(lower) ? t.success(lower) : t.failure(u, c, 'expected a UUID');
  },
  t.identity,
);
export type Uuid = t.TypeOf<typeof Uuid>;
describeCodec(Uuid, {
  type: 'string',
  format: 'uuid',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
});

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

const validCalendarDate = (s: string): boolean => {
  const m = isoPattern.exec(s);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days && Number.isFinite(Date.parse(s));
};

/**
 * RFC 3339 date-time with an explicit offset (`Z` or `±hh:mm`), e.g. `2019-04-08T20:59:00+07:00`.
 * Kept verbatim (the offset is information); compare instants with `Date.parse`.
 */
export const IsoDateTime = patternText(
  'IsoDateTime',
  isoPattern,
  40,
  'expected an RFC 3339 date-time with offset, e.g. 2019-04-08T20:59:00+07:00',
  validCalendarDate,
);
export type IsoDateTime = t.TypeOf<typeof IsoDateTime>;

/** BCP 47 language tag (RFC 5646 well-formed syntax, without grandfathered tags). */
export const LanguageTag = patternText(
  'LanguageTag',
  /^[a-zA-Z]{2,3}(-[a-zA-Z]{3}){0,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|\d{3}))?(-([a-zA-Z\d]{5,8}|\d[a-zA-Z\d]{3}))*(-[0-9a-wyzA-WYZ](-[a-zA-Z\d]{2,8})+)*(-x(-[a-zA-Z\d]{1,8})+)?$/,
  35,
  'expected a BCP 47 language tag, e.g. vi or vi-VN',
);
export type LanguageTag = t.TypeOf<typeof LanguageTag>;

/** URL slug: lower-case ASCII letters and digits in hyphen-separated runs, ≤ 200. */
export const Slug = patternText(
  'Slug',
  /^[a-z0-9]+(-[a-z0-9]+)*$/,
  200,
  'expected lower-case ASCII letters, digits and single hyphens, e.g. hai-phong-2019',
);
export type Slug = t.TypeOf<typeof Slug>;

const isHttpUrl = (s: string): boolean => {
  try {
    const url = new URL(s);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
};

/** What no stored text can hold: the store refuses a NUL or a lone surrogate. */
const storable = (s: string): boolean => isWellFormed(s) && !s.includes('\u0000');

/** Absolute http(s) URL, ≤ 2048 characters, kept verbatim; no control character (Cc). */
export const HttpUrl = patternText(
  'HttpUrl',
  /^https?:\/\/[^\s\p{Cc}]+$/iu,
  2048,
  'expected an absolute http(s) URL without spaces or control characters',
  (s) => storable(s) && isHttpUrl(s),
);
export type HttpUrl = t.TypeOf<typeof HttpUrl>;

/** An http(s) URL as stored events hold it: the rule it was written under (controls other
 *  than NUL were accepted then), less what the store itself never let through. */
export const RecordedHttpUrl = patternText(
  'RecordedHttpUrl',
  /^https?:\/\/\S+$/i,
  2048,
  'expected an absolute http(s) URL',
  (s) => storable(s) && isHttpUrl(s),
);

/** A safe integer of at least `min`. */
const intAtLeast = (name: string, min: number): t.Type<number, number, unknown> => {
  const is = (u: unknown): u is number =>
    typeof u === 'number' && Number.isSafeInteger(u) && u >= min;
  const codec = new t.Type<number, number, unknown>(
    name,
    is,
    // -0 (JSON.parse('-0')) is 0: JSON writes it so, and what is stored must read back as sent.
    (u, c) =>
      is(u) ? t.success(u === 0 ? 0 : u) : t.failure(u, c, `expected an integer ≥ ${min}`),
    t.identity,
  );
  return describeCodec(codec, {
    type: 'integer',
    minimum: min,
    maximum: Number.MAX_SAFE_INTEGER,
  });
};

/** Integer ≥ 0 (a stream revision, an index, a version). */
export const NonNegativeInt = intAtLeast('NonNegativeInt', 0);
export type NonNegativeInt = t.TypeOf<typeof NonNegativeInt>;

/** Integer ≥ 1 (a published version). */
export const PositiveInt = intAtLeast('PositiveInt', 1);
export type PositiveInt = t.TypeOf<typeof PositiveInt>;

/** An opaque identifier (user id, correlation id): 1..200 characters, no whitespace. */
export const Identifier = patternText(
  'Identifier',
  /^\S+$/u,
  200,
  'expected a non-empty identifier without whitespace',
  (s) => isWellFormed(s) && !s.includes('\u0000'),
);
export type Identifier = t.TypeOf<typeof Identifier>;

const XID8_MAX = 2n ** 64n - 1n;
const BIGINT_MAX = 2n ** 63n - 1n;

/**
 * A position in the store's log as text, `<transactionId>.<sequence>`, each part within its
 * column's range (xid8, bigint): a cursor or a starting point a client hands back.
 */
export const positionText = (name: string, message: string): t.Type<string, string, unknown> =>
  patternText(name, /^\d{1,20}\.\d{1,19}$/, 40, message, (s) => {
    const [transactionId, sequence] = s.split('.');
    return BigInt(transactionId!) <= XID8_MAX && BigInt(sequence!) <= BIGINT_MAX;
  });

/** The two parts of a `positionText`. */
export const parsePositionText = (
  text: string,
): { readonly transactionId: bigint; readonly sequence: bigint } => {
  const [transactionId, sequence] = text.split('.');
  return { transactionId: BigInt(transactionId!), sequence: BigInt(sequence!) };
};
