/** Contract edges found in review: how much of a bad body is decoded, `__proto__` in an
 *  envelope, and the visible-character rule on every command text. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { CommandEnvelope, Content, MAX_COLLECTED_ERRORS, Publisher } from './index.js';
import { paths } from './testing.js';

const commandId = '0190c0de-0000-7000-8000-000000000001';
const articleId = '0190c0de-0000-7000-8000-0000000000a1';

/** An array whose item reads are counted: how much of a bad body a decoder visits. */
const counted = <T>(items: T[], reads: { n: number }): T[] =>
  new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.n++;
      return Reflect.get(target, key, receiver);
    },
  });

describe('the error cap', () => {
  it('a content with 100,000 bad list items is decoded only up to the cap', () => {
    const reads = { n: 0 };
    const blocks = Array.from({ length: 200 }, () => ({
      kind: 'list',
      ordered: false,
      items: counted(
        Array.from({ length: 500 }, () => 1),
        reads,
      ),
    }));
    const result = Content.decode({ headline: 'H', byline: 'B', language: 'vi', blocks });
    expect(E.isLeft(result)).toBe(true);
    if (E.isLeft(result)) expect(result.left).toHaveLength(MAX_COLLECTED_ERRORS);
    expect(reads.n).toBeLessThanOrEqual(2 * MAX_COLLECTED_ERRORS);
  });
});

describe('envelopes', () => {
  it('a "__proto__" key in an envelope is refused at its own path, not dropped', () => {
    const body = JSON.parse(
      `{"__proto__":{"x":1},"commandId":"${commandId}","articleId":"${articleId}","type":"SubmitForReview"}`,
    ) as unknown;
    expect(paths(CommandEnvelope, body)).toEqual(['__proto__']);
  });
});

describe('command texts need a visible character', () => {
  it.each(['\u200b', '\u200f\u200b', ' \ufeff '])(
    'a reason or comment of %j is refused',
    (text) => {
      expect(
        paths(CommandEnvelope, {
          commandId,
          articleId,
          type: 'RejectArticle',
          data: { reason: text },
        }),
      ).toEqual(['data.reason']);
      expect(
        paths(CommandEnvelope, {
          commandId,
          articleId,
          type: 'RequestChanges',
          data: { comments: [{ text }] },
        }),
      ).toEqual(['data.comments.0.text']);
    },
  );
});

describe('is() agrees with decode on what would be stored', () => {
  it.each(['Cafe\u0301', '\ud800', 'a\u0000'])(
    'a publisher field named %j is not a Publisher',
    (key) => {
      const publisher = { name: 'Cổng thông tin', [key]: 'x' };
      expect(Publisher.is(publisher)).toBe(false);
      expect(E.isLeft(Publisher.decode(publisher))).toBe(true);
    },
  );
});
