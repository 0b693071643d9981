import { describe, expect, it } from 'vitest';
import {
  ArticleCommand,
  ArticleCommandBody,
  articleCommandTypes,
  CommandEnvelope,
  type ArticleCommandType,
} from './commands.js';
import { decoded, paths } from './testing.js';

const content = {
  headline: 'Hải Phòng phải đi đầu trong sáng tạo',
  byline: 'Hoàng Tùng',
  blocks: [{ kind: 'paragraph', text: 'Ngày 8/4, Ban Thường vụ Thành ủy họp.' }],
  publisher: { name: 'Cổng thông tin điện tử thành phố Hải Phòng' },
};
const commandId = '0190c0de-0000-7000-8000-000000000001';
const articleId = '0190c0de-0000-7000-8000-0000000000a1';

/** For each command type: a valid body, a broken body and the path of what is broken. */
const samples: {
  readonly [K in ArticleCommandType]: readonly [valid: object, broken: object, path: string];
} = {
  CreateDraft: [{ content }, { content: { ...content, headline: '' } }, 'data.content.headline'],
  ReviseDraft: [{ content, note: 'sửa chính tả' }, { content, note: 42 }, 'data.note'],
  SubmitForReview: [{}, { urgent: true }, 'data.urgent'],
  WithdrawSubmission: [{}, { reason: 'x' }, 'data.reason'],
  DiscardDraft: [{ reason: 'trùng bài' }, { reason: '' }, 'data.reason'],
  AssignReviewer: [{ reviewerId: 'editor-b' }, {}, 'data.reviewerId'],
  RequestChanges: [
    { comments: [{ text: 'Kiểm tra lại số Đại hội', blockIndex: 2 }, { text: 'Thêm ảnh' }] },
    { comments: [{ text: 'ok' }, { text: 'x', blockIndex: -1 }] },
    'data.comments.1.blockIndex',
  ],
  ApproveArticle: [{ note: 'Đồng ý' }, { note: '\ud800' }, 'data.note'],
  RejectArticle: [{ reason: 'Không phù hợp' }, { reason: '   ' }, 'data.reason'],
  PublishArticle: [
    { mode: 'scheduled', at: '2019-04-08T20:59:00+07:00' },
    { mode: 'embargoed' },
    'data.until',
  ],
  ReleaseScheduledPublication: [{}, { at: '2019-04-08T20:59:00+07:00' }, 'data.at'],
  CancelSchedule: [{ reason: 'Chờ ý kiến' }, { reason: null }, 'data.reason'],
  CorrectArticle: [
    { content, notice: 'Sửa "Đại hội VIII" thành "Đại hội XIII".' },
    { content },
    'data.notice',
  ],
  PublishCorrection: [{}, [], 'data'],
  UnpublishArticle: [{ reason: 'Theo yêu cầu' }, { reason: 'x', by: 'admin' }, 'data.by'],
  RetractArticle: [
    { reason: 'Sai sự thật', notice: 'Bài viết đã bị gỡ bỏ.' },
    { reason: 'Sai sự thật' },
    'data.notice',
  ],
};

describe('command codecs', () => {
  it('has a sample for every command type', () => {
    expect(Object.keys(samples).sort()).toEqual([...articleCommandTypes].sort());
    expect(articleCommandTypes).toHaveLength(16);
  });

  describe.each(articleCommandTypes)('%s', (type) => {
    const [valid, broken, path] = samples[type];

    it('accepts a valid envelope', () => {
      const envelope = { commandId, articleId, expectedRevision: 3, type, data: valid };
      const command = decoded(CommandEnvelope, envelope);
      expect(command.type).toBe(type);
      expect(command.expectedRevision).toBe(3);
      expect(decoded(ArticleCommandBody, { type, data: valid }).type).toBe(type);
    });

    it(`rejects a broken one at ${path}`, () => {
      expect(paths(CommandEnvelope, { commandId, articleId, type, data: broken })).toEqual([path]);
    });
  });

  it('lets a command whose data has no required field omit data', () => {
    for (const type of ['SubmitForReview', 'WithdrawSubmission', 'PublishCorrection'] as const) {
      expect(decoded(CommandEnvelope, { commandId, articleId, type })).toEqual({
        commandId,
        articleId,
        type,
        data: {},
      });
    }
    expect(paths(CommandEnvelope, { commandId, articleId, type: 'RejectArticle' })).toEqual([
      'data',
    ]);
  });

  it('decodes each publication mode', () => {
    const modes = [
      { mode: 'now' },
      { mode: 'scheduled', at: '2019-04-09T07:00:00+07:00' },
      { mode: 'embargoed', until: '2019-04-09T00:00:00Z' },
    ];
    for (const data of modes) {
      expect(decoded(ArticleCommandBody, { type: 'PublishArticle', data }).data).toEqual(data);
    }
    expect(paths(ArticleCommandBody, { type: 'PublishArticle', data: { mode: 'later' } })).toEqual([
      'data.mode',
    ]);
    expect(
      paths(ArticleCommandBody, {
        type: 'PublishArticle',
        data: { mode: 'scheduled', at: '2019-04-09 07:00' },
      }),
    ).toEqual(['data.at']);
    expect(
      paths(ArticleCommandBody, {
        type: 'PublishArticle',
        data: { mode: 'embargoed', at: '2019-04-09T07:00:00+07:00' },
      }),
    ).toEqual(['data.at', 'data.until']);
  });

  it('rejects envelope problems at their paths', () => {
    const ok = { commandId, articleId, type: 'SubmitForReview', data: {} };
    expect(paths(CommandEnvelope, { ...ok, type: 'Publish' })).toEqual(['type']);
    expect(paths(CommandEnvelope, { ...ok, commandId: 'abc' })).toEqual(['commandId']);
    expect(paths(CommandEnvelope, { ...ok, expectedRevision: -1 })).toEqual(['expectedRevision']);
    expect(paths(CommandEnvelope, { ...ok, expectedRevision: 1.5 })).toEqual(['expectedRevision']);
    const { articleId: _a, ...noArticle } = ok;
    expect(paths(CommandEnvelope, noArticle)).toEqual(['articleId']);
    expect(paths(CommandEnvelope, 'CreateDraft')).toEqual(['']);
  });

  it('never takes actor or now from the body', () => {
    const body = { commandId, articleId, type: 'SubmitForReview', data: {} };
    expect(paths(CommandEnvelope, { ...body, actor: { id: 'x', role: 'admin' } })).toEqual([
      'actor',
    ]);
    expect(paths(CommandEnvelope, { ...body, now: '2019-04-08T20:59:00+07:00' })).toEqual(['now']);
  });

  it('decodes the decider input with actor and now added by the service', () => {
    const command = decoded(ArticleCommand, {
      articleId,
      commandId,
      actor: { id: 'reporter-1', role: 'reporter' },
      now: '2019-04-08T20:59:00+07:00',
      type: 'CreateDraft',
      data: { content },
    });
    expect(command.actor).toEqual({ id: 'reporter-1', role: 'reporter' });
    expect(command.type === 'CreateDraft' && command.data.content.language).toBe('vi');
    expect(
      paths(ArticleCommand, {
        articleId,
        commandId,
        actor: { id: 'x', role: 'chief' },
        now: '2019-04-08T20:59:00+07:00',
        type: 'SubmitForReview',
      }),
    ).toEqual(['actor.role']);
  });

  it('normalizes the UUIDs to lower case', () => {
    const command = decoded(CommandEnvelope, {
      commandId: commandId.toUpperCase(),
      articleId: articleId.toUpperCase(),
      type: 'SubmitForReview',
    });
    expect([command.commandId, command.articleId]).toEqual([commandId, articleId]);
  });
});
