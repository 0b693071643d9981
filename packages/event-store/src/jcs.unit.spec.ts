/**
 * RFC 8785 (JSON Canonicalization Scheme): the examples of the RFC, its number test vectors
 * (appendix B) and the rules this implementation adds because its output is hashed.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, eventHash, ZERO_HASH } from './hash.js';
import { canonicalJson, isCanonicalJson, NotJsonError } from './jcs.js';
import { MAX_DEPTH, scanCanonical } from './jcs-scan.js';
import { storedBodyProblem } from './postgres/integrity.js';

/** A double from its IEEE 754 bit pattern, as appendix B lists them. */
const fromBits = (hex: string): number => {
  const buffer = Buffer.from(hex, 'hex');
  return buffer.readDoubleBE(0);
};

describe('canonicalJson (RFC 8785)', () => {
  it('section 3.2.2: the combined example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('section 3.2.3: members sorted by UTF-16 code units, not by code points or locale', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // U+1F600 (a surrogate pair starting 0xD83D) sorts before U+FB33 by code units,
    // though after it by code points.
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [3, { z: 1, a: 2 }, 1], a: { d: null, c: 'x' } })).toBe(
      '{"a":{"c":"x","d":null},"b":[3,{"a":2,"z":1},1]}',
    );
  });

  it('appendix B: number serialisation', () => {
    const vectors: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of vectors) {
      expect(canonicalJson(fromBits(bits)), bits).toBe(expected);
    }
  });

  it('appendix B: NaN and the infinities are not JSON', () => {
    for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
      expect(() => canonicalJson([fromBits(bits)])).toThrow(NotJsonError);
    }
  });

  it('escapes only what JSON requires; everything else, Vietnamese included, as is', () => {
    expect(canonicalJson('Hải Phòng\t"\\\u0001\u001f\u007f\u2028/')).toBe(
      '"Hải Phòng\\t\\"\\\\\\u0001\\u001f\u007f\u2028/"',
    );
    const nfd = 'Hải'.normalize('NFD');
    expect(canonicalJson(nfd)).toBe(`"${nfd}"`); // no normalisation: text is a record
  });

  it('agrees with the canonicalize package on ordinary documents', () => {
    const doc = {
      headline: 'Hải Phòng phải đi đầu',
      n: [1, 1.5, -0.25, 1e21, 12345678901234567000],
      nested: { ő: true, a: null, Z: 'upper', '10': 'ten', '9': 'nine' },
    };
    expect(canonicalJson(doc)).toBe(canonicalize(doc));
  });

  it('refuses values JSON.stringify would silently change, and says where', () => {
    const cases: [unknown, string][] = [
      [{ a: [1, { b: new Date(0) }] }, '$.a[1].b'],
      [{ a: undefined, b: [undefined] }, '$.b[0]'],
      [{ big: 1n }, '$.big'],
      [{ f: () => 1 }, '$.f'],
      [{ m: new Map() }, '$.m'],
      [{ s: 'x\udc00' }, '$.s'],
      [{ ['k\ud800']: 1 }, '$.k\ud800'],
    ];
    for (const [value, path] of cases) {
      let error: unknown;
      try {
        canonicalJson(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(NotJsonError);
      expect((error as NotJsonError).path).toBe(path);
    }
  });

  it('leaves out members whose value is undefined, as JSON does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson(Object.assign(Object.create(null) as object, { b: 2, a: 1 }))).toBe(
      '{"a":1,"b":2}',
    );
  });
});

describe('event hash input', () => {
  it('is SHA-256(previous hash || "stream:revision:recordedAtMs:" || canonical body)', () => {
    const body = canonicalEvent({
      id: '0b7e6a3c-1f0e-4c55-9c1e-4c9a7c3f2b10',
      type: 'DraftCreated',
      data: { headline: 'Hải Phòng' },
    });
    expect(body).toBe(
      '{"data":{"headline":"Hải Phòng"},"eventId":"0b7e6a3c-1f0e-4c55-9c1e-4c9a7c3f2b10",' +
        '"metadata":null,"type":"DraftCreated"}',
    );
    const at = new Date(Date.UTC(2019, 3, 8, 13, 59, 0, 123));
    const manual = createHash('sha256')
      .update(Buffer.concat([Buffer.alloc(32), Buffer.from(`article-1:0:${at.getTime()}:${body}`)]))
      .digest('hex');
    expect(eventHash(ZERO_HASH, 'article-1', 0n, at, body)).toBe(manual);
    const next = eventHash(manual, 'article-1', 1n, at, body);
    expect(next).toBe(
      createHash('sha256')
        .update(
          Buffer.concat([
            Buffer.from(manual, 'hex'),
            Buffer.from(`article-1:1:${at.getTime()}:${body}`),
          ]),
        )
        .digest('hex'),
    );
  });
});

describe('isCanonicalJson (the fast check verify uses)', () => {
  const judge = (text: string) => {
    const parsed: unknown = JSON.parse(text);
    let slow: boolean;
    try {
      slow = canonicalJson(parsed) === text;
    } catch {
      slow = false;
    }
    expect(isCanonicalJson(parsed, text), text).toBe(slow);
    const scan = scanCanonical(text);
    if (scan !== 'unsure') expect(scan.canonical, `scan: ${text}`).toBe(slow);
    // The same judgement read from the UTF-8 bytes (as verify reads a stored body).
    const bytes = scanCanonical(Buffer.from(text, 'utf8').toString('latin1'), true);
    if (bytes !== 'unsure') expect(bytes.canonical, `bytes: ${text}`).toBe(slow);
    if (bytes !== 'unsure' && bytes.canonical && scan !== 'unsure' && scan.canonical) {
      const asBytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
      expect(bytes.keys).toEqual(scan.keys.map(asBytes));
      expect([...bytes.strings]).toEqual([...scan.strings].map(([k, v]) => [k, asBytes(v)]));
    }
    if (
      scan !== 'unsure' &&
      scan.canonical &&
      typeof parsed === 'object' &&
      parsed !== null &&
      !Array.isArray(parsed)
    ) {
      expect(scan.keys).toEqual(Object.keys(parsed).sort());
      for (const [k, v] of Object.entries(parsed)) {
        if (typeof v === 'string') expect(scan.strings.get(k)).toBe(v);
      }
    }
  };

  it('agrees with canonicalJson on canonical, reordered, spaced and escaped texts', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        judge(canonicalJson(value));
        judge(JSON.stringify(value));
        judge(JSON.stringify(value, null, 1));
        judge(JSON.stringify({ data: value, eventId: 'e', metadata: null, type: 't\u0001"' }));
      }),
      { numRuns: 2000, seed: 8785 },
    );
    for (const text of [
      '{"b":1,"a":2}',
      '{"a":{"d":1,"c":2}}',
      '{"10":1,"9":2}',
      '{"9":1,"10":2}',
      '"\\ud800"',
      '"\\u00e9"',
      '"é"',
      '{"é":1,"z":2}',
      '{"\uffff":1,"😀":2}',
      '{"😀":1,"\uffff":2}',
      '{"a":"Đại hội XIII","b":"\\""}',
      '-0',
      '1.0',
      '1e3',
      '[{"z":0,"a":0}]',
      '{"a":"\\u001f","b":"\\u000a","c":"\\n","d":"\\/"}',
      '{"a":1,"a":2}',
      '{"a":1 }',
      '{"a\\n":1}',
      '1e21',
      '1e+21',
      '0.1',
      '100',
      '1E2',
    ]) {
      judge(text);
    }
  });
});

describe('a body nested deeper than any event', () => {
  const nested = (depth: number) =>
    `{"data":${'['.repeat(depth)}${']'.repeat(depth)},"eventId":"e","metadata":null,"type":"t"}`;
  const row = (body: string) => ({ body, event_id: 'e', event_type: 't' });

  it('is judged without overflowing the stack, and named', () => {
    expect(scanCanonical(nested(MAX_DEPTH + 10))).toEqual({ canonical: false });
    // Deeper than canonicalJson can recurse: a reason, not a RangeError out of verify.
    expect(storedBodyProblem(row(nested(200_000)))).toBe(
      'body is nested too deeply to be canonical',
    );
  });

  it('is still canonical when the slow path can judge it', () => {
    expect(storedBodyProblem(row(nested(MAX_DEPTH + 10)))).toBeUndefined();
    expect(storedBodyProblem(row(nested(3)))).toBeUndefined();
  });
});
