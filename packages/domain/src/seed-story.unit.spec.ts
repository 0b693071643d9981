/**
 * The seed story end to end at the domain level: the Hải Phòng portal article of 2019-04-08
 * goes from draft to a published correction. Commands arrive as JSON envelopes and are
 * decoded as a service would; events go through JSON and the event codec as the store would.
 */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  ArticleEvent as ArticleEventCodec,
  CommandEnvelope,
  formatValidationErrors,
} from '@newsroom/contracts';
import type {
  Actor,
  ArticleCommand,
  ArticleEvent,
  ArticleRejection,
  Content,
} from '@newsroom/contracts';
import fixture from '../../../tests/fixtures/haiphong-portal-2019-04-08.json' with { type: 'json' };
import { articleDecider, replay } from './article.js';
import { publicView } from './public-view.js';
import type { ArticleState } from './state.js';
import { actors, replaceInText } from './testkit.js';

const articleId = '0190c0de-2019-7408-8000-00000000a001';
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A newsroom tool's article stream, driven through the decider. */
const newsroom = () => {
  const stream: ArticleEvent[] = [];
  let commands = 0;
  const state = (): ArticleState => replay(stream);

  /** Sends `body` as JSON in an envelope; actor and now come from "the token" and "the clock". */
  const send = (
    actor: Actor,
    now: string,
    body: { readonly type: string; readonly data?: unknown },
  ): E.Either<ArticleRejection, readonly ArticleEvent[]> => {
    const wire = JSON.stringify({
      commandId: `0190c0de-2019-7408-8000-${(++commands).toString(16).padStart(12, '0')}`,
      articleId,
      expectedRevision: Math.max(stream.length - 1, 0),
      ...body,
    });
    const decoded = CommandEnvelope.decode(JSON.parse(wire));
    if (E.isLeft(decoded)) throw new Error(JSON.stringify(formatValidationErrors(decoded.left)));
    const { expectedRevision: _revision, ...envelope } = decoded.right;
    const command = { ...envelope, actor, now } as ArticleCommand;
    const result = articleDecider.decide(command, state());
    if (E.isRight(result)) {
      for (const event of result.right) {
        const stored = ArticleEventCodec.decode(JSON.parse(JSON.stringify(event)));
        if (E.isLeft(stored)) throw new Error(JSON.stringify(formatValidationErrors(stored.left)));
        stream.push(stored.right);
      }
    }
    return result;
  };
  return { stream, state, send };
};

const emitted = (result: E.Either<ArticleRejection, readonly ArticleEvent[]>) =>
  E.isRight(result) ? result.right.map((e) => e.type) : `rejected: ${result.left._tag}`;

describe('the seed story: Hải Phòng, 2019-04-08', () => {
  it('goes from a reporter draft to a published correction, four eyes all the way', () => {
    const { reporter, editorA, editorB, publisher } = actors;
    const { stream, state, send } = newsroom();
    const seed = {
      publisher: fixture.publisher,
      language: fixture.language,
      headline: fixture.headline,
      byline: fixture.byline,
      blocks: fixture.blocks,
    };
    const current = (): Content => {
      const s = state();
      if (s.status === 'Initial') throw new Error('no article');
      return s.content;
    };

    // The reporter files the article from the portal's text.
    expect(
      emitted(
        send(reporter, '2019-04-08T18:00:00+07:00', {
          type: 'CreateDraft',
          data: { content: seed },
        }),
      ),
    ).toEqual(['DraftCreated.v1']);
    expect(
      emitted(send(reporter, '2019-04-08T18:10:00+07:00', { type: 'SubmitForReview' })),
    ).toEqual(['SubmittedForReview.v1']);

    // Editor A asks for a summary.
    expect(
      emitted(
        send(editorA, '2019-04-08T18:30:00+07:00', {
          type: 'RequestChanges',
          data: { comments: [{ text: 'Bổ sung phần tóm tắt.' }] },
        }),
      ),
    ).toEqual(['ChangesRequested.v1']);

    // The reporter adds it (typed on a keyboard that sends decomposed NFD text) and resubmits.
    const summary =
      'Ban Thường vụ Thành ủy Hải Phòng cho ý kiến vào dự thảo báo cáo và Chương trình hành động thực hiện Nghị quyết 45.';
    expect(
      emitted(
        send(reporter, '2019-04-08T19:00:00+07:00', {
          type: 'ReviseDraft',
          data: { content: { ...seed, summary: summary.normalize('NFD') }, note: 'Thêm tóm tắt' },
        }),
      ),
    ).toEqual(['DraftRevised.v1']);
    expect(current().summary).toBe(summary.normalize('NFC'));
    expect(
      emitted(send(reporter, '2019-04-08T19:10:00+07:00', { type: 'SubmitForReview' })),
    ).toEqual(['SubmittedForReview.v1']);

    // Editor A fixes one paragraph during review ("của của" -> "của") ...
    const fixed = replaceInText(current(), 'của của khu vực', 'của khu vực');
    expect(
      emitted(
        send(editorA, '2019-04-08T19:30:00+07:00', {
          type: 'ReviseDraft',
          data: { content: fixed },
        }),
      ),
    ).toEqual(['DraftRevised.v1']);

    // ... and so may not approve it; editor B does.
    expect(emitted(send(editorA, '2019-04-08T19:35:00+07:00', { type: 'ApproveArticle' }))).toBe(
      'rejected: ApproverIsContributor',
    );
    expect(
      emitted(
        send(editorB, '2019-04-08T19:40:00+07:00', {
          type: 'ApproveArticle',
          data: { note: 'Đồng ý' },
        }),
      ),
    ).toEqual(['ArticleApproved.v1']);

    // The publisher publishes at the portal's time: version 1.
    expect(
      emitted(
        send(publisher, fixture.publishedLocal, { type: 'PublishArticle', data: { mode: 'now' } }),
      ),
    ).toEqual(['ArticlePublished.v1']);
    const first = publicView(state());
    expect(first).toMatchObject({
      kind: 'published',
      version: 1,
      firstPublishedAt: fixture.publishedLocal,
    });

    // The next morning the reporter drafts a correction: "Đại hội VIII" should read "Đại hội XIII".
    const published = first?.kind === 'published' ? first.content : current();
    const correctedContent = replaceInText(published, 'Đại hội VIII', 'Đại hội XIII');
    const notice =
      'Đính chính: trong đoạn thứ hai, "Đại hội VIII của Đảng" được sửa thành "Đại hội XIII của Đảng".';
    const sentContent = JSON.stringify(correctedContent);
    expect(
      emitted(
        send(reporter, '2019-04-09T08:00:00+07:00', {
          type: 'CorrectArticle',
          data: { content: JSON.parse(sentContent) as unknown, notice },
        }),
      ),
    ).toEqual(['CorrectionDrafted.v1']);
    expect(publicView(state())).toMatchObject({ version: 1, content: published });

    // An editor approves it; the reporter could not have.
    expect(emitted(send(reporter, '2019-04-09T08:05:00+07:00', { type: 'ApproveArticle' }))).toBe(
      'rejected: RoleNotAllowed',
    );
    expect(emitted(send(editorA, '2019-04-09T08:30:00+07:00', { type: 'ApproveArticle' }))).toEqual(
      ['CorrectionApproved.v1'],
    );

    // The publisher publishes the correction: version 2, with its notice.
    expect(
      emitted(send(publisher, '2019-04-09T09:00:00+07:00', { type: 'PublishCorrection' })),
    ).toEqual(['CorrectionPublished.v1']);

    const view = publicView(state());
    if (view?.kind !== 'published') throw new Error('not published');
    expect(view.version).toBe(2);
    expect(view.corrections).toEqual([
      { version: 2, notice, at: '2019-04-09T09:00:00+07:00', by: publisher },
    ]);

    // What the public sees is byte-identical to what was sent.
    expect(utf8(JSON.stringify(view.content))).toEqual(utf8(sentContent));
    const correctedEvent = stream.at(-1);
    expect(correctedEvent?.type === 'CorrectionPublished.v1' && correctedEvent.data.notice).toBe(
      notice,
    );

    // Only the two intended changes differ from the portal's text; every other block is identical.
    const blocks = view.content.blocks;
    const texts = fixture.blocks.map((b) => ('text' in b ? b.text : b.caption));
    blocks.forEach((block, i) => {
      const text = 'text' in block ? block.text : block.kind === 'image' ? block.caption : '';
      const original = texts[i] ?? '';
      if (i === 2) expect(text).toBe(original.replace('Đại hội VIII', 'Đại hội XIII'));
      else if (i === 6) expect(text).toBe(original.replace('của của', 'của'));
      else expect(utf8(text)).toEqual(utf8(original));
    });
    expect(JSON.stringify(view.content)).not.toContain('Đại hội VIII');
    expect(view.content.headline).toBe(fixture.headline);
    expect(view.content.publisher).toEqual(fixture.publisher);

    // The stream is the whole story, and replaying it gives the same state.
    expect(stream.map((e) => `${e.type} by ${e.data.by.id}`)).toEqual([
      'DraftCreated.v1 by reporter-hoang-tung',
      'SubmittedForReview.v1 by reporter-hoang-tung',
      'ChangesRequested.v1 by editor-a',
      'DraftRevised.v1 by reporter-hoang-tung',
      'SubmittedForReview.v1 by reporter-hoang-tung',
      'DraftRevised.v1 by editor-a',
      'ArticleApproved.v1 by editor-b',
      'ArticlePublished.v1 by publisher-1',
      'CorrectionDrafted.v1 by reporter-hoang-tung',
      'CorrectionApproved.v1 by editor-a',
      'CorrectionPublished.v1 by publisher-1',
    ]);
    expect(stream.every((e) => e.data.articleId === articleId)).toBe(true);
    expect(replay(JSON.parse(JSON.stringify(stream)) as ArticleEvent[])).toEqual(state());
    expect(state()).toMatchObject({ status: 'Published', contributors: [reporter.id] });
  });
});
