/**
 * The seed article's story, over HTTP, on PGlite and on PostgreSQL: draft, changes requested,
 * revision, an editor's own edit and her refused approval (four eyes), approval by another
 * editor, publication, a correction ("Đại hội VIII" -> "Đại hội XIII") reviewed and published
 * as version 2. Every text read back is byte-identical to what was sent.
 */
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { ArticleView } from '@newsroom/contracts';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, textBytes, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'hoang.tung' } as const;
const editorA = { role: 'editor', sub: 'editor.a' } as const;
const editorB = { role: 'editor', sub: 'editor.b' } as const;
const publisher = { role: 'publisher', sub: 'publisher.p' } as const;

describe.each(STORE_KINDS)('the seed article story on %s', (kind) => {
  const sys = useTestSystem(kind);

  it('goes from draft to a published correction, byte-exact, with four eyes enforced', async () => {
    const articleId = randomUUID();
    const original = seedContent();

    // A reporter creates the draft and submits it.
    const created = await sys.post('/v1/drafts', reporter, {
      articleId,
      data: { content: original },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/drafts/${articleId}`);
    expect(created.headers.get('etag')).toBe('"0"');
    expect(created.body.article.createdBy).toEqual({ id: 'hoang.tung', role: 'reporter' });

    const submitted = await sys.post(
      `/v1/drafts/${articleId}/submit`,
      reporter,
      {},
      { 'if-match': '"0"' },
    );
    expect(submitted.status).toBe(200);
    expect(submitted.body.status).toBe('InReview');

    // Editor A requests changes.
    const changes = await sys.post(`/v1/reviews/${articleId}/request-changes`, editorA, {
      data: { comments: [{ text: 'Thêm tóm tắt cho bài viết.', blockIndex: 0 }] },
    });
    expect(changes.status).toBe(200);
    expect(changes.body.status).toBe('ChangesRequested');

    // The reporter revises (adds a summary) and resubmits.
    const revisedByReporter = {
      ...original,
      summary: 'Ban Thường vụ Thành ủy Hải Phòng cho ý kiến về chương trình hành động.',
    };
    const revised = await sys.post(`/v1/drafts/${articleId}/revise`, reporter, {
      data: { content: revisedByReporter, note: 'thêm tóm tắt' },
    });
    expect(revised.status).toBe(200);
    const resubmitted = await sys.post(`/v1/drafts/${articleId}/submit`, reporter, {});
    expect(resubmitted.status).toBe(200);
    expect(resubmitted.body.status).toBe('InReview');

    // Editor A revises one paragraph herself...
    const editedBlocks = revisedByReporter.blocks.map((b, i) =>
      i === 0 && b.kind === 'paragraph' ? { ...b, text: `${b.text} (Cổng TTĐT Hải Phòng)` } : b,
    );
    const editedByA = { ...revisedByReporter, blocks: editedBlocks };
    const editA = await sys.post(`/v1/drafts/${articleId}/revise`, editorA, {
      data: { content: editedByA },
    });
    expect(editA.status).toBe(200);
    expect(editA.body.status).toBe('InReview');

    // ... and then fails to approve it: four eyes.
    const refused = await sys.post(`/v1/reviews/${articleId}/approve`, editorA, {});
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      status: 403,
      type: 'urn:newsroom:problem:approver-is-contributor',
      rejection: { _tag: 'ApproverIsContributor', approverId: 'editor.a' },
    });

    // Editor B approves; a publisher publishes.
    const approved = await sys.post(`/v1/reviews/${articleId}/approve`, editorB, {
      data: { note: 'Duyệt.' },
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('Approved');
    const published = await sys.post(`/v1/publications/${articleId}/publish`, publisher, {
      data: { mode: 'now' },
    });
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('Published');
    expect(published.body.article.published.version).toBe(1);
    const revisionAtVersion1 = published.body.revision as number;

    // The reporter drafts the correction, an editor approves it, the publisher publishes it.
    const correctedBlocks = editedByA.blocks.map((b) =>
      b.kind === 'paragraph' && b.text.includes('Đại hội VIII')
        ? { ...b, text: b.text.replace('Đại hội VIII', 'Đại hội XIII') }
        : b,
    );
    expect(JSON.stringify(correctedBlocks)).not.toBe(JSON.stringify(editedByA.blocks));
    const corrected = { ...editedByA, blocks: correctedBlocks };
    const notice = 'Đính chính: bài viết ghi nhầm "Đại hội VIII", đúng là "Đại hội XIII" của Đảng.';
    const drafted = await sys.post(`/v1/publications/${articleId}/corrections`, reporter, {
      data: { content: corrected, notice },
    });
    expect(drafted.status).toBe(200);
    expect(drafted.body.article.correction.status).toBe('drafted');
    const correctionApproved = await sys.post(`/v1/reviews/${articleId}/approve`, editorA, {});
    expect(correctionApproved.status).toBe(200);
    expect(correctionApproved.body.article.correction.status).toBe('approved');
    const correctionPublished = await sys.post(
      `/v1/publications/${articleId}/corrections/publish`,
      publisher,
      {},
    );
    expect(correctionPublished.status).toBe(200);
    expect(correctionPublished.body.article.published.version).toBe(2);

    // Read back: the published text is byte-identical to the correction sent, and the
    // article as it was at version 1 is byte-identical to editor A's text.
    const now = await sys.get(`/v1/publications/${articleId}`, publisher);
    expect(now.status).toBe(200);
    expect(E.isRight(ArticleView.decode(now.body.article)), 'the answer is an ArticleView').toBe(
      true,
    );
    expect(now.body.article.published.contentIsCurrent).toBe(true); // sent once, as content
    expect(textBytes(now.body.article.content)).toEqual(textBytes(corrected));
    expect(now.body.article.published.corrections).toEqual([
      expect.objectContaining({ version: 2, notice, by: { id: 'publisher.p', role: 'publisher' } }),
    ]);
    const then = await sys.get(
      `/v1/publications/${articleId}?revision=${revisionAtVersion1}`,
      publisher,
    );
    expect(then.status).toBe(200);
    expect(then.body.article.published.version).toBe(1);
    expect(then.body.article.published.contentIsCurrent).toBe(true);
    expect(textBytes(then.body.article.content)).toEqual(textBytes(editedByA));
    // The draft as created is the fixture, byte for byte.
    const first = await sys.get(`/v1/drafts/${articleId}?revision=0`, reporter);
    expect(textBytes(first.body.article.content)).toEqual(textBytes(original));

    // The stream is the whole story, with the token's actor on every event.
    const stream = await sys.store.readStream(`article-${articleId}`);
    expect(stream.map((e) => e.type)).toEqual([
      'DraftCreated.v1',
      'SubmittedForReview.v1',
      'ChangesRequested.v1',
      'DraftRevised.v1',
      'SubmittedForReview.v1',
      'DraftRevised.v1',
      'ArticleApproved.v1',
      'ArticlePublished.v1',
      'CorrectionDrafted.v1',
      'CorrectionApproved.v1',
      'CorrectionPublished.v1',
    ]);
    expect(stream.map((e) => (e.metadata as { actor: { id: string } }).actor.id)).toEqual([
      'hoang.tung',
      'hoang.tung',
      'editor.a',
      'hoang.tung',
      'hoang.tung',
      'editor.a',
      'editor.b',
      'publisher.p',
      'hoang.tung',
      'editor.a',
      'publisher.p',
    ]);
    expect((await sys.store.verifyIntegrity()).ok).toBe(true);
  });
});
