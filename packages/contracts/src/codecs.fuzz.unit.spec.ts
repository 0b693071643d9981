/**
 * Property-based fuzzing of every codec @newsroom/contracts exports (fast-check).
 *
 * For each codec, with its shape from tests/fuzz-arbitraries.ts:
 * (1) decode never throws, whatever it is given: fc.anything(), parsed fc.json(), valid values
 *     with one field replaced, removed or added, deep nesting, huge arrays, lone surrogates,
 *     NUL, U+200B/U+200F, NFD text, `__proto__` and `constructor` keys;
 * (2) whatever decodes is what the contract says (text NFC, uuids lower case, defaults filled
 *     in, nothing dropped, publisher fields in order), and re-encodes and decodes again to the
 *     same value, also through JSON;
 * (3) a mutation known to be invalid fails with an error at the mutated path, and one known to
 *     be valid decodes;
 * (4) every failure carries at least one error, each with a string path and a message, and
 *     no more than 100 of them, even for 1000 list blocks of 500 invalid items each.
 *
 * FUZZ_RUNS (runs per property and codec, default 50) and FUZZ_SEED (default 42).
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { describe, expect, it, vi } from 'vitest';
import * as contracts from './index.js';
import { formatValidationErrors } from './problem.js';
import {
  codecShapes,
  deeplyNested,
  exportedCodecs,
  expectDecoded,
  INVISIBLE,
  LARGE,
  mutatedOf,
  namesPath,
  previewJson,
  protoMutantOf,
  setOwn,
  SMALL,
  textsOf,
  validOf,
  WHITESPACE,
} from '../../../tests/fuzz-arbitraries.js';
import type { Shape } from '../../../tests/fuzz-arbitraries.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 42);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 50);
const params = { seed: SEED, numRuns: RUNS };
/** Per test: long runs (`npm run fuzz`) need more than vitest's default 5 s. */
vi.setConfig({ testTimeout: 10_000 + RUNS * 100 });

/** The error cap of a failure's formatted errors (being introduced now). */
const MAX_ERRORS = 100;

interface Codec {
  readonly name: string;
  decode(u: unknown): E.Either<t.Errors, unknown>;
  encode(a: unknown): unknown;
  is(u: unknown): boolean;
}

const exported = exportedCodecs<Codec>(contracts);
const covered = exported.flatMap(([name, codec]): [string, Codec, Shape][] => {
  const shape = codecShapes[name];
  return shape === undefined ? [] : [[name, codec, shape]];
});

type Outcome =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly paths: string[];
      readonly errors: { path: unknown; message: unknown }[];
    };

/** Decodes and formats; a throw from either fails the property, with what threw. */
const run = (codec: Codec, u: unknown): Outcome => {
  let result: E.Either<t.Errors, unknown>;
  try {
    result = codec.decode(u);
  } catch (error) {
    throw new Error(`(1) ${codec.name}.decode threw: ${String((error as Error)?.stack ?? error)}`);
  }
  if (E.isRight(result)) return { ok: true, value: result.right };
  let errors: { path: unknown; message: unknown }[];
  try {
    errors = formatValidationErrors(result.left);
  } catch (error) {
    throw new Error(
      `(1) formatValidationErrors threw: ${String((error as Error)?.stack ?? error)}`,
    );
  }
  return { ok: false, errors, paths: errors.map((e) => String(e.path)) };
};

/** Property (4): a failure is well formed and bounded. */
const expectWellFormedFailure = (outcome: Outcome & { ok: false }): void => {
  expect(outcome.errors.length, '(4) a failure carries at least one error').toBeGreaterThanOrEqual(
    1,
  );
  for (const error of outcome.errors) {
    expect(typeof error.path, `(4) error path ${previewJson(error)}`).toBe('string');
    expect(typeof error.message, `(4) error message ${previewJson(error)}`).toBe('string');
    expect((error.message as string).length, '(4) error message not empty').toBeGreaterThan(0);
  }
  // Intended cap (being added now): at most 100 formatted errors, however bad the input.
  expect(outcome.errors.length, '(4) at most 100 errors').toBeLessThanOrEqual(MAX_ERRORS);
};

const JSON_ROUND_TRIP_SAFE = (v: unknown): boolean => {
  try {
    // JSON has no -0: one inside an opaque value (an extension member) comes back as 0.
    let negativeZero = false;
    const text = JSON.stringify(v, (_key, x: unknown) => {
      if (Object.is(x, -0)) negativeZero = true;
      return x;
    });
    return text !== undefined && !negativeZero;
  } catch {
    return false;
  }
};

/** The key order of every publisher in a decoded value (publisher fields keep their order). */
const publisherOrders = (shape: Shape, value: unknown): string[][] => {
  if (typeof value !== 'object' || value === null) return [];
  const v = value as Record<string, unknown>;
  switch (shape.k) {
    case 'publisher':
      return [Object.keys(v)];
    case 'object':
      return Object.keys(v).flatMap((k) => {
        const s = shape.required[k] ?? shape.optional[k];
        return s === undefined ? [] : publisherOrders(s, v[k]);
      });
    case 'array':
      return Array.isArray(value) ? value.flatMap((x) => publisherOrders(shape.item, x)) : [];
    case 'union': {
      const tag = v[shape.tag];
      const member = typeof tag === 'string' ? shape.members[tag] : undefined;
      return member === undefined ? [] : publisherOrders(member, value);
    }
    default:
      return [];
  }
};

/** Property (2) for anything that decoded: the contract's value, NFC, round trips. */
const expectDecodedWell = (codec: Codec, shape: Shape, input: unknown, decoded: unknown): void => {
  const expected = expectDecoded(shape, input);
  expect(
    decoded,
    '(2) decodes to the contract value (NFC, lower-case uuid, defaults, nothing dropped)',
  ).toEqual(expected);
  expect(publisherOrders(shape, decoded), '(2) publisher fields keep their order').toEqual(
    publisherOrders(shape, expected),
  );
  for (const [path, s] of textsOf(shape, decoded)) {
    expect(s === s.normalize('NFC'), `(2) text at ${path} is NFC: ${JSON.stringify(s)}`).toBe(true);
  }
  expect(codec.is(decoded), `(2) ${codec.name}.is(decoded)`).toBe(true);
  let encoded: unknown;
  try {
    encoded = codec.encode(decoded);
  } catch (error) {
    throw new Error(`(2) ${codec.name}.encode threw: ${String(error)}`);
  }
  const again = run(codec, encoded);
  expect(
    again.ok ? again.value : again.paths,
    '(2) encode then decode gives the same value',
  ).toEqual(decoded);
  if (JSON_ROUND_TRIP_SAFE(encoded)) {
    const viaJson = run(codec, JSON.parse(JSON.stringify(encoded)));
    expect(viaJson.ok ? viaJson.value : viaJson.paths, '(2) the same through JSON').toEqual(
      decoded,
    );
  }
};

// Hostile values, built once (they are large), tried on every codec.
const protoJson = (inner: string) =>
  JSON.parse(`{"__proto__": ${inner}, "constructor": {"prototype": {"polluted": true}}}`);
const manyKeys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
const nullProto = Object.create(null) as Record<string, unknown>;
nullProto['name'] = 'Cổng thông tin';
const HOSTILE: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  Infinity,
  -0,
  2n ** 70n,
  Symbol('x'),
  () => 1,
  new Date(Number.NaN),
  new Map([['headline', 'x']]),
  new Set(['x']),
  new Uint8Array([0xff, 0xfe]),
  Object('x'),
  Object(1),
  nullProto,
  deeplyNested(100_000, 'array'),
  deeplyNested(100_000, 'object'),
  new Array(1_000_000).fill(0),
  new Array(1_000_000),
  manyKeys,
  protoJson('{"headline": "x", "type": "CreateDraft"}'),
  protoJson('"x"'),
  protoJson('null'),
  JSON.parse('{"constructor": "x", "toString": "y", "hasOwnProperty": 1, "valueOf": null}'),
  '\ud800',
  '\udfff\ud800',
  'x\u0000y',
  '\u200b',
  '\u200f',
  '\u200b\u200f',
  ...INVISIBLE,
  ...WHITESPACE,
  'Hải Phòng'.normalize('NFD'),
  'x'.repeat(1_000_000),
  `${'ả'.normalize('NFD').repeat(300_000)}`,
];

const hostile = fc.constantFrom(...HOSTILE);

/** Any input at all: random, JSON, hostile, valid, mutated. */
const anyInput = (shape: Shape): fc.Arbitrary<unknown> =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withSet: true,
        withNullPrototype: true,
        withObjectString: true,
        withSparseArray: true,
        withTypedArray: true,
        stringUnit: 'binary',
      }),
    },
    { weight: 2, arbitrary: fc.json().map((s) => JSON.parse(s) as unknown) },
    { weight: 1, arbitrary: hostile },
    { weight: 2, arbitrary: validOf(shape, SMALL) },
    { weight: 4, arbitrary: mutatedOf(shape, SMALL).map((m) => m.value) },
  );

/** Codecs of what the service itself sends, never of what it receives: each is checked on
 *  every state of the lifecycle by packages/domain/src/article-view.unit.spec.ts instead. */
const OUTPUT_ONLY: ReadonlySet<string> = new Set([
  'ArticleView',
  'PublishedView',
  'PendingCorrectionView',
  'RetractionView',
  'ScheduleView',
  'CorrectionRecordView',
]);

describe('every exported codec has a fuzz shape', () => {
  it('lists no codec without one', () => {
    const missing = exported
      .map(([name]) => name)
      .filter((name) => codecShapes[name] === undefined && !OUTPUT_ONLY.has(name));
    expect(missing, 'exported codecs without a shape in tests/fuzz-arbitraries.ts').toEqual([]);
    expect(covered.length).toBeGreaterThan(50);
  });
});

describe.each(covered)('%s (fuzz)', (name, codec, shape) => {
  it('(1) decode never throws, on anything', () => {
    fc.assert(
      fc.property(anyInput(shape), (u) => {
        run(codec, u);
      }),
      params,
    );
  });

  it('(2) valid values decode to the contract value, in NFC, and round-trip', () => {
    fc.assert(
      fc.property(validOf(shape, LARGE), (v) => {
        const outcome = run(codec, v);
        if (!outcome.ok)
          expect.fail(`(2) a valid ${name} was refused: ${previewJson(outcome.errors)}`);
        expectDecodedWell(codec, shape, v, outcome.value);
      }),
      params,
    );
  });

  it('(3) one mutation: refused at its path when invalid, decoded when valid', () => {
    fc.assert(
      fc.property(mutatedOf(shape, SMALL), (m) => {
        const outcome = run(codec, m.value);
        if (m.label.kind === 'invalid') {
          if (outcome.ok)
            expect.fail(`(3) accepted (${m.how}); decoded ${previewJson(outcome.value)}`);
          expect(
            namesPath(outcome.paths, m.label.path),
            `(3) an error at ${m.label.path}; got ${previewJson(outcome.errors)}`,
          ).toBe(true);
        }
        if (m.label.kind === 'valid' && !outcome.ok) {
          expect.fail(`(3) refused (${m.how}): ${previewJson(outcome.errors)}`);
        }
        if (outcome.ok) expectDecodedWell(codec, shape, m.value, outcome.value);
        else expectWellFormedFailure(outcome);
      }),
      params,
    );
  });

  it('(4) every failure has 1..100 errors, each with a string path and a message', () => {
    fc.assert(
      fc.property(anyInput(shape), (u) => {
        const outcome = run(codec, u);
        if (!outcome.ok) expectWellFormedFailure(outcome);
        else if (JSON_ROUND_TRIP_SAFE(u)) expectDecodedWell(codec, shape, u, outcome.value);
      }),
      params,
    );
  });
});

describe('error counts stay bounded on huge invalid content', () => {
  const content = (blocks: unknown[]) => ({
    headline: 'Hải Phòng',
    byline: 'Hoàng Tùng',
    publisher: { name: 'Cổng thông tin điện tử thành phố Hải Phòng' },
    blocks,
  });
  const listOf = (items: unknown[]) => ({ kind: 'list', ordered: false, items });

  it('1000 list blocks of 500 invalid items each: decode does not throw, at most 100 errors', () => {
    const block = listOf(new Array(500).fill(42));
    const outcome = run(
      contracts.Content as unknown as Codec,
      content(new Array(1000).fill(block)),
    );
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expectWellFormedFailure(outcome);
    expect(outcome.paths[0]).toBe('blocks.0.items.0');
  });

  it('any number of list blocks with any number of invalid items, in any codec holding content', () => {
    const holders: [string, Codec, (c: unknown) => unknown][] = [
      ['Content', contracts.Content as unknown as Codec, (c) => c],
      ['RecordedContent', contracts.RecordedContent as unknown as Codec, (c) => c],
      [
        'ArticleCommandBody',
        contracts.ArticleCommandBody as unknown as Codec,
        (c) => ({ type: 'CreateDraft', data: { content: c } }),
      ],
      [
        'CommandEnvelope',
        contracts.CommandEnvelope as unknown as Codec,
        (c) => ({
          commandId: '0190c0de-0000-7000-8000-0000000000a1',
          articleId: '0190c0de-0000-7000-8000-0000000000a2',
          type: 'ReviseDraft',
          data: { content: c },
        }),
      ],
      [
        'ArticleEvent',
        contracts.ArticleEvent as unknown as Codec,
        (c) => ({
          type: 'DraftCreated.v1',
          data: {
            articleId: '0190c0de-0000-7000-8000-0000000000a1',
            at: '2019-04-08T20:59:00+07:00',
            by: { id: 'r', role: 'reporter' },
            content: c,
          },
        }),
      ],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...holders.map(([name]) => name)),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom<unknown>(
          0,
          '',
          null,
          '\u200b',
          ' ',
          '\ud800',
          'x\u0000',
          {},
          [],
          'a'.repeat(5001),
        ),
        fc.boolean(),
        (name, blocks, items, bad, ordered) => {
          const [, codec, wrap] = holders.find(([n]) => n === name)!;
          const block = { kind: 'list', ordered, items: new Array(items).fill(bad) };
          const outcome = run(codec, wrap(content(new Array(blocks).fill(block))));
          if (outcome.ok) {
            // Only a record codec may hold U+200B-only text; everything else here is invalid.
            const record = name === 'RecordedContent' || name === 'ArticleEvent';
            expect(
              record && bad === '\u200b',
              `${name} accepted ${blocks}×${items} items ${JSON.stringify(bad)}`,
            ).toBe(true);
            return;
          }
          expectWellFormedFailure(outcome);
        },
      ),
      { ...params, numRuns: Math.min(RUNS, 200) },
    );
  });
});

const objectCodecs = covered.filter(
  ([, , shape]) => shape.k === 'object' || shape.k === 'union' || shape.k === 'publisher',
);

describe.each(objectCodecs)('%s: own `__proto__` keys (fuzz)', (name, codec, shape) => {
  it('are refused at their path, or kept where extension members are allowed; never dropped', () => {
    fc.assert(
      fc.property(
        validOf(shape, SMALL).chain((value) => {
          // In the value itself.
          const atRoot = fc.jsonValue({ maxDepth: 1 }).map((protoValue) => {
            const input = { ...(value as Record<string, unknown>) };
            setOwn(input, '__proto__', protoValue);
            return { value: input as unknown, path: '__proto__', root: true };
          });
          // In any strict object or publisher inside it.
          const inside = protoMutantOf(shape, value)?.map((m) => ({
            value: m.value,
            path: m.label.kind === 'invalid' ? m.label.path : '',
            root: false,
          }));
          return inside === undefined ? atRoot : fc.oneof(atRoot, inside);
        }),
        ({ value, path, root }) => {
          const outcome = run(codec, value);
          if (outcome.ok) {
            // Allowed only as an extension member (problem details), and then kept.
            expect(
              root && shape.k === 'object' && shape.open,
              `${name} accepted __proto__ at ${path}`,
            ).toBe(true);
            expect(Object.keys(outcome.value as object), `${name} keeps __proto__`).toContain(
              '__proto__',
            );
          } else {
            expect(outcome.paths, `${name}: the error is at ${path}`).toContain(path);
          }
        },
      ),
      { ...params, numRuns: Math.max(10, Math.ceil(RUNS / 5)) },
    );
  });
});
