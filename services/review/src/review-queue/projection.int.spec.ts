/**
 * The review queue's read model under at-least-once delivery (given / when delivered N times /
 * then), on PGlite: each step of a review puts the article where the queue should show it,
 * however often each event is delivered.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleEvent } from '@newsroom/contracts';
import { articleMessages, processorSpec } from '@newsroom/processing';
import { sampleContent } from '../../../../packages/service-kit/src/testing.js';
import { reviewQueueProcessor } from './projection.js';
import { readReviewQueue } from './query.js';
import { pgliteForSpecs } from '../../../../packages/processing/src/testing/pglite.js';

const reporter = { id: 'reporter.a', role: 'reporter' } as const;
const editor = { id: 'editor.b', role: 'editor' } as const;
const at = (minute: number) => new Date(Date.UTC(2026, 3, 8, 14, minute)).toISOString();
const content = { ...sampleContent, section: 'Thời sự' };

/** The review of one article, step by step, as events. */
const review = (articleId: string) => {
  const data = (minute: number, by: { readonly id: string; readonly role: string }) => ({
    articleId,
    at: at(minute),
    by,
  });
  const event = (type: string, body: Record<string, unknown>) =>
    ({ type, data: body }) as ArticleEvent;
  return {
    created: event('DraftCreated.v1', { ...data(0, reporter), content }),
    submitted: (minute: number) => event('SubmittedForReview.v1', data(minute, reporter)),
    assigned: event('ReviewerAssigned.v1', { ...data(2, editor), reviewerId: 'editor.b' }),
    changes: event('ChangesRequested.v1', {
      ...data(3, editor),
      comments: [{ text: 'Thêm nguồn trích dẫn', blockIndex: 1 }],
    }),
    revised: event('DraftRevised.v1', {
      ...data(4, reporter),
      content: { ...content, headline: 'Tiêu đề mới' },
    }),
    approved: event('ArticleApproved.v1', data(6, editor)),
  };
};

describe('the review queue read model', () => {
  const specDb = pgliteForSpecs(beforeAll, afterAll);

  const queueAfter = async (schema: string, events: readonly ArticleEvent[], articleId: string) => {
    let entries: Awaited<ReturnType<typeof readReviewQueue>>['items'] = [];
    await processorSpec(reviewQueueProcessor(schema), specDb())
      .given()
      .when(articleMessages(articleId, events), { times: 3, oneByOne: true })
      .then(async () => {
        entries = (await readReviewQueue(specDb(), schema, {})).items;
      });
    return entries;
  };

  it('shows a submitted article as pending, with who submitted it and when', async () => {
    const id = randomUUID();
    const r = review(id);
    expect(await queueAfter('rq_a', [r.created, r.submitted(1)], id)).toEqual([
      {
        articleId: id,
        status: 'pending',
        kind: 'article',
        section: 'Thời sự',
        headline: sampleContent.headline,
        submittedBy: 'reporter.a',
        submittedAt: at(1),
        assignee: null,
        revision: 1,
        comments: [],
      },
    ]);
  });

  it('follows it through assignment, requested changes and a resubmission', async () => {
    const id = randomUUID();
    const r = review(id);
    const [entry] = await queueAfter(
      'rq_b',
      [r.created, r.submitted(1), r.assigned, r.changes],
      id,
    );
    expect(entry).toMatchObject({
      status: 'changes_requested',
      assignee: 'editor.b',
      revision: 3,
      comments: [{ text: 'Thêm nguồn trích dẫn', blockIndex: 1 }],
    });
    const [back] = await queueAfter(
      'rq_c',
      [r.created, r.submitted(1), r.assigned, r.changes, r.revised, r.submitted(5)],
      id,
    );
    expect(back).toMatchObject({
      status: 'in_review',
      assignee: 'editor.b',
      headline: 'Tiêu đề mới',
      submittedAt: at(5),
      revision: 5,
    });
  });

  it('takes an approved article out, and a redelivered submission does not bring it back', async () => {
    const id = randomUUID();
    const r = review(id);
    expect(
      await queueAfter('rq_d', [r.created, r.submitted(1), r.assigned, r.approved], id),
    ).toEqual([]);
  });

  it('keeps an article waiting on its reporter when a reviewer is assigned meanwhile', async () => {
    const id = randomUUID();
    const r = review(id);
    const late = { ...r.assigned, data: { ...r.assigned.data, at: at(4) } } as ArticleEvent;
    const [entry] = await queueAfter('rq_e', [r.created, r.submitted(1), r.changes, late], id);
    expect(entry).toMatchObject({ status: 'changes_requested', assignee: 'editor.b', revision: 3 });
  });

  it('lists an article whose creation it never saw (a topic past its retention)', async () => {
    const id = randomUUID();
    const r = review(id);
    const [submitted] = articleMessages(id, [r.submitted(1)], { fromRevision: 7 });
    let entries: Awaited<ReturnType<typeof readReviewQueue>>['items'] = [];
    await processorSpec(reviewQueueProcessor('rq_f'), specDb())
      .given()
      .when([submitted!], { times: 3 })
      .then(async () => {
        entries = (await readReviewQueue(specDb(), 'rq_f', {})).items;
      });
    expect(entries).toMatchObject([
      { articleId: id, status: 'pending', revision: 7, section: null, submittedBy: 'reporter.a' },
    ]);
  });
});
