import { describe, expect, it } from 'vitest';
import { ArticleEvent, articleEventTypes, EventMetadata, type ArticleEventType } from './events.js';
import { decoded, paths } from './testing.js';

const content = {
  headline: 'Hải Phòng phải đi đầu trong sáng tạo',
  byline: 'Hoàng Tùng',
  blocks: [{ kind: 'paragraph', text: 'Ngày 8/4, Ban Thường vụ Thành ủy họp.' }],
  language: 'vi',
  tags: [],
  publisher: { name: 'Cổng thông tin điện tử thành phố Hải Phòng' },
};
const common = {
  articleId: '0190c0de-0000-7000-8000-0000000000a1',
  at: '2019-04-08T20:59:00+07:00',
  by: { id: 'editor-a', role: 'editor' },
};

/** For each event type: its own data (besides articleId, at, by), a broken one, the path. */
const samples: {
  readonly [K in ArticleEventType]: readonly [valid: object, broken: object, path: string];
} = {
  'DraftCreated.v1': [{ content }, {}, 'data.content'],
  'DraftRevised.v1': [
    { content, note: 'sửa' },
    { content: { ...content, x: 1 } },
    'data.content.x',
  ],
  'SubmittedForReview.v1': [{}, { reviewerId: 'x' }, 'data.reviewerId'],
  'SubmissionWithdrawn.v1': [{}, { at: 'now' }, 'data.at'],
  'DraftDiscarded.v1': [{ reason: 'trùng' }, { reason: '' }, 'data.reason'],
  'ReviewerAssigned.v1': [{ reviewerId: 'editor-b' }, { reviewerId: ' ' }, 'data.reviewerId'],
  'ChangesRequested.v1': [
    { comments: [{ text: 'Đại hội XIII?', blockIndex: 2 }] },
    { comments: [] },
    'data.comments',
  ],
  'ArticleApproved.v1': [{ note: 'ok' }, { by: { id: 'x', role: 'root' } }, 'data.by.role'],
  'ArticleRejected.v1': [{ reason: 'Không' }, {}, 'data.reason'],
  'PublicationScheduled.v1': [
    { embargo: true, releaseAt: '2019-04-09T00:00:00Z' },
    { embargo: 'yes', releaseAt: '2019-04-09T00:00:00Z' },
    'data.embargo',
  ],
  'ScheduleCancelled.v1': [{ reason: 'Hoãn' }, { reason: 1 }, 'data.reason'],
  'ArticlePublished.v1': [{ version: 1, content }, { version: 0, content }, 'data.version'],
  'CorrectionDrafted.v1': [{ content, notice: 'Đính chính' }, { content }, 'data.notice'],
  'CorrectionApproved.v1': [{}, { articleId: 'x' }, 'data.articleId'],
  'CorrectionRejected.v1': [{ reason: 'Chưa đúng' }, { reason: ' ' }, 'data.reason'],
  'CorrectionPublished.v1': [
    { version: 2, notice: 'Đính chính', content },
    { version: 2, notice: 'Đính chính', content: { ...content, blocks: [{ kind: 'x' }] } },
    'data.content.blocks.0.kind',
  ],
  'ArticleUnpublished.v1': [{ reason: 'Tạm gỡ' }, { reason: 'Tạm gỡ', notice: 'x' }, 'data.notice'],
  'ArticleRetracted.v1': [{ reason: 'Sai', notice: 'Đã gỡ bỏ' }, { reason: 'Sai' }, 'data.notice'],
};

describe('event codecs', () => {
  it('has a sample for every event type, all versioned', () => {
    expect(Object.keys(samples).sort()).toEqual([...articleEventTypes].sort());
    expect(articleEventTypes).toHaveLength(18);
    expect(articleEventTypes.every((type) => type.endsWith('.v1'))).toBe(true);
  });

  describe.each(articleEventTypes)('%s', (type) => {
    const [valid, broken, path] = samples[type];

    it('accepts a valid event and encodes it back unchanged', () => {
      const event = { type, data: { ...common, ...valid } };
      const value = decoded(ArticleEvent, event);
      expect(value).toEqual(event);
      expect(JSON.stringify(ArticleEvent.encode(value))).toBe(JSON.stringify(event));
      expect(ArticleEvent.is(value)).toBe(true);
    });

    it(`rejects a broken one at ${path}`, () => {
      expect(paths(ArticleEvent, { type, data: { ...common, ...broken } })).toEqual([path]);
    });

    it('requires articleId, at and by', () => {
      expect(paths(ArticleEvent, { type, data: valid }).slice(0, 3)).toEqual([
        'data.articleId',
        'data.at',
        'data.by',
      ]);
    });
  });

  it('rejects an unknown event type at type', () => {
    expect(paths(ArticleEvent, { type: 'DraftCreated.v2', data: common })).toEqual(['type']);
  });

  it('decodes event metadata', () => {
    const metadata = {
      actor: { id: 'reporter-1', role: 'reporter' },
      commandId: '0190c0de-0000-7000-8000-000000000001',
      commandType: 'CreateDraft',
      correlationId: 'req-7f3a',
      causationId: '0190c0de-0000-7000-8000-000000000001',
      occurredAt: '2019-04-08T13:59:00.000Z',
    };
    expect(decoded(EventMetadata, metadata)).toEqual(metadata);
    expect(paths(EventMetadata, { ...metadata, occurredAt: 'now' })).toEqual(['occurredAt']);
    expect(paths(EventMetadata, { ...metadata, commandType: 'Publish' })).toEqual(['commandType']);
    const { actor: _actor, ...noActor } = metadata;
    expect(paths(EventMetadata, noActor)).toEqual(['actor']);
  });
});
