import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { articleIdOfStream, articleStreamName, decodeStoredArticleEvent } from './stream.js';

const id = '0190c0de-0000-7000-8000-0000000000a1';
const at = '2019-04-08T20:59:00+07:00';
const by = { id: 'editor b', role: 'editor' }; // as v1 wrote it: records stay readable

describe('the article stream', () => {
  it('names a stream and parses the name back; other streams are not articles', () => {
    expect(articleStreamName(id)).toBe(`article-${id}`);
    expect(articleIdOfStream(articleStreamName(id))).toBe(id);
    for (const other of ['article-x', `article-${id.toUpperCase()}`, `review-${id}`, id, '']) {
      expect(articleIdOfStream(other)).toBeUndefined();
    }
  });

  it('decodes a stored row to its event and metadata, and a corrupt one to a reason', () => {
    const metadata = {
      actor: by,
      commandId: id,
      commandType: 'SubmitForReview',
      correlationId: 'c',
      causationId: 'c',
      occurredAt: at,
    };
    const row = { type: 'SubmittedForReview.v1', data: { articleId: id, at, by }, metadata };
    expect(decodeStoredArticleEvent(row)).toEqual(
      E.right({ event: { type: row.type, data: row.data }, metadata }),
    );
    const noType = decodeStoredArticleEvent({ ...row, type: 'Nope.v1' });
    expect(E.isLeft(noType) && noType.left).toMatch(/^type: expected one of/);
    const badMetadata = decodeStoredArticleEvent({ ...row, metadata: { ...metadata, actor: 1 } });
    expect(E.isLeft(badMetadata) && badMetadata.left).toMatch(/^metadata: actor/);
  });
});
