/**
 * The audit page's finding aid (given / when delivered / then), on PGlite: one row per article
 * with the latest headline any of its events carried and its last event, whether the events
 * come one by one, all in one batch (one statement for the batch), or over and over again.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleEvent } from '@newsroom/contracts';
import { articleMessages, processorSpec } from '@newsroom/processing';
import { sampleContent } from '../../../../packages/service-kit/src/testing.js';
import { findArticles } from './find.js';
import { auditArticlesProcessor } from './projection.js';
import { pgliteForSpecs } from '../../../../packages/processing/src/testing/pglite.js';

const reporter = { id: 'reporter.a', role: 'reporter' } as const;
const at = (minute: number) => new Date(Date.UTC(2026, 3, 8, 14, minute)).toISOString();

/** One article's story: created, revised twice (the second with a new headline), submitted. */
const story = (articleId: string, headline: string) => {
  const data = (minute: number) => ({ articleId, at: at(minute), by: reporter });
  const event = (type: string, body: Record<string, unknown>) =>
    ({ type, data: body }) as ArticleEvent;
  return [
    event('DraftCreated.v1', { ...data(0), content: { ...sampleContent, headline } }),
    event('DraftRevised.v1', { ...data(1), content: { ...sampleContent, headline } }),
    event('DraftRevised.v1', {
      ...data(2),
      content: { ...sampleContent, headline: `${headline}: Đại hội XIII` },
    }),
    // No headline in it: the row keeps the last one an event carried.
    event('SubmittedForReview.v1', data(3)),
  ];
};

describe('the audit articles read model', () => {
  const specDb = pgliteForSpecs(beforeAll, afterAll);

  const rowsAfter = async (
    schema: string,
    options: { readonly times: number; readonly oneByOne: boolean },
  ) => {
    const [a, b] = [randomUUID(), randomUUID()];
    const ma = articleMessages(a, story(a, 'Hải Phòng phải đi đầu'));
    const mb = articleMessages(b, story(b, 'Thành phố Cảng'));
    // Interleaved, as a log of several articles is: each article's events stay in order.
    const interleaved = ma.flatMap((m, i) => [m, mb[i]!]);
    let found: Awaited<ReturnType<typeof findArticles>> = [];
    await processorSpec(auditArticlesProcessor(schema), specDb())
      .given()
      .when(interleaved, options)
      .then(async () => {
        found = await findArticles(specDb(), `"${schema}"`, 'đại hội xiii');
      });
    return { a, b, found };
  };

  it('keeps per article its last event and the last headline an event carried, from one batch', async () => {
    const { a, b, found } = await rowsAfter('aa_batch', { times: 1, oneByOne: false });
    expect(found.map((f) => f.articleId).sort()).toEqual([a, b].sort());
    expect(found.find((f) => f.articleId === a)).toEqual({
      articleId: a,
      headline: 'Hải Phòng phải đi đầu: Đại hội XIII',
      lastType: 'SubmittedForReview.v1',
      revision: 3,
      recordedAt: at(3),
    });
  });

  it('comes to the same rows one event at a time, and when everything is delivered three times', async () => {
    const batch = await rowsAfter('aa_batch_again', { times: 1, oneByOne: false });
    const single = await rowsAfter('aa_single', { times: 3, oneByOne: true });
    const shape = (found: typeof batch.found, a: string, b: string) =>
      found
        .map((f) => ({ ...f, articleId: f.articleId === a ? 'a' : f.articleId === b ? 'b' : '?' }))
        .sort((x, y) => x.articleId.localeCompare(y.articleId));
    expect(shape(single.found, single.a, single.b)).toEqual(shape(batch.found, batch.a, batch.b));
    expect(single.found).toHaveLength(2);
  });
});
