/**
 * What the public sees, under at-least-once delivery (given / when delivered N times / then),
 * on PGlite: a publication is listed with its text as the event holds it, a correction bumps
 * the version and keeps the first publication, unpublication and retraction take it out, an
 * embargo keeps it out until it went out at or after its end; and every change is one effect,
 * however often each event is delivered.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleEvent } from '@newsroom/contracts';
import { articleMessages, processorSpec } from '@newsroom/processing';
import { sampleContent } from '../../../../packages/service-kit/src/testing.js';
import { publicArticlesProcessor } from './projection.js';
import { readPublicArticle, readPublicArticles } from './query.js';
import { pgliteForSpecs } from '../../../../packages/processing/src/testing/pglite.js';

const publisher = { id: 'publisher.p', role: 'publisher' } as const;
const system = { id: 'scheduler', role: 'system' } as const;
const at = (minute: number) => new Date(Date.UTC(2026, 3, 8, 14, minute)).toISOString();
const content = { ...sampleContent, section: 'Thời sự' };
const corrected = { ...content, headline: 'Hải Phòng: Đại hội XIII' };
const notice = 'Đính chính: đúng là "Đại hội XIII".';

const story = (articleId: string) => {
  const event = (type: string, minute: number, body: Record<string, unknown> = {}) =>
    ({
      type,
      data: {
        articleId,
        at: at(minute),
        by: type === 'ArticlePublished.v1' ? system : publisher,
        ...body,
      },
    }) as ArticleEvent;
  return {
    embargoed: event('PublicationScheduled.v1', 1, { embargo: true, releaseAt: at(30) }),
    published: (minute: number) => event('ArticlePublished.v1', minute, { version: 1, content }),
    corrected: event('CorrectionPublished.v1', 40, { version: 2, notice, content: corrected }),
    unpublished: event('ArticleUnpublished.v1', 50, { reason: 'Tạm gỡ' }),
    retracted: event('ArticleRetracted.v1', 55, {
      reason: 'Sai sự thật',
      notice: 'Bài đã bị rút.',
    }),
  };
};

describe('the public articles read model', () => {
  const specDb = pgliteForSpecs(beforeAll, afterAll);

  /** The events, each delivered three times one by one; then the model's answers. */
  const after = async (schema: string, articleId: string, events: readonly ArticleEvent[]) => {
    let result!: {
      list: Awaited<ReturnType<typeof readPublicArticles>>;
      one: Awaited<ReturnType<typeof readPublicArticle>>;
      changes: { change: string; revision: string; version: number | null }[];
    };
    await processorSpec(publicArticlesProcessor(schema), specDb())
      .given()
      .when(articleMessages(articleId, events, { fromRevision: 6 }), { times: 3, oneByOne: true })
      .then(async () => {
        const { rows } = await specDb().query<{
          change: string;
          revision: string;
          version: number | null;
        }>(
          `SELECT change, revision::text AS revision, version FROM ${schema}.public_changes
            WHERE article_id = $1 ORDER BY seq`,
          [articleId],
        );
        result = {
          list: await readPublicArticles(specDb(), schema, {}),
          one: await readPublicArticle(specDb(), schema, articleId),
          changes: rows,
        };
      });
    return result;
  };

  it('lists a published article with its text exactly as the event holds it, once', async () => {
    const id = randomUUID();
    const { list, one, changes } = await after('pa_a', id, [story(id).published(2)]);
    expect(list.items).toEqual([
      {
        articleId: id,
        version: 1,
        firstPublishedAt: at(2),
        updatedAt: at(2),
        corrections: [],
        content,
      },
    ]);
    expect(one).toEqual({ kind: 'published', article: list.items[0] });
    expect(changes).toEqual([{ change: 'published', revision: '6', version: 1 }]);
  });

  it('a correction bumps the version and updated time, keeps the first publication and shows the notice', async () => {
    const id = randomUUID();
    const s = story(id);
    const { list, changes } = await after('pa_b', id, [s.published(2), s.corrected]);
    expect(list.items).toEqual([
      {
        articleId: id,
        version: 2,
        firstPublishedAt: at(2),
        updatedAt: at(40),
        corrections: [{ version: 2, notice, at: at(40) }],
        content: corrected,
      },
    ]);
    expect(changes.map((c) => c.change)).toEqual(['published', 'corrected']);
  });

  it('an embargoed article is out of every answer until it went out at its end', async () => {
    const id = randomUUID();
    const s = story(id);
    const before = await after('pa_c', id, [s.embargoed]);
    expect(before.list.items).toEqual([]);
    expect(before.one).toEqual({ kind: 'none' });
    expect(before.changes).toEqual([]);
    // A publication recorded before the embargo's end (which the domain never makes) stays out.
    const early = await after('pa_d', id, [s.embargoed, s.published(10)]);
    expect(early.list.items).toEqual([]);
    const released = await after('pa_e', id, [s.embargoed, s.published(30)]);
    expect(released.list.items.map((a) => a.articleId)).toEqual([id]);
  });

  it('unpublication and retraction take it out; a retraction keeps its notice', async () => {
    const id = randomUUID();
    const s = story(id);
    const unpublished = await after('pa_f', id, [s.published(2), s.unpublished]);
    expect(unpublished.list.items).toEqual([]);
    expect(unpublished.one).toEqual({ kind: 'none' });
    const retracted = await after('pa_g', id, [s.published(2), s.corrected, s.retracted]);
    expect(retracted.list.items).toEqual([]);
    expect(retracted.one).toEqual({
      kind: 'retracted',
      notice: 'Bài đã bị rút.',
      retractedAt: at(55),
    });
    expect(retracted.changes.map((c) => c.change)).toEqual(['published', 'corrected', 'retracted']);
  });

  it('an article published again after an unpublication comes back with its first publication time', async () => {
    const id = randomUUID();
    const s = story(id);
    const back = await after('pa_i', id, [s.published(2), s.unpublished, s.published(58)]);
    expect(back.list.items).toEqual([
      expect.objectContaining({
        articleId: id,
        version: 1,
        firstPublishedAt: at(2),
        updatedAt: at(58),
      }),
    ]);
    expect(back.changes.map((c) => c.change)).toEqual(['published', 'unpublished', 'published']);
  });

  it('a correction whose publication it never saw lists the article (a topic past its retention)', async () => {
    const id = randomUUID();
    const s = story(id);
    const { list, changes } = await after('pa_j', id, [s.embargoed, s.corrected]);
    expect(list.items).toEqual([
      expect.objectContaining({
        articleId: id,
        version: 2,
        firstPublishedAt: at(40),
        content: corrected,
      }),
    ]);
    expect(changes.map((c) => c.change)).toEqual(['corrected']);
  });

  it('never lets an older event overwrite a newer one, even past the runtime marks', async () => {
    // The handler alone (no marks in front of it): the revision guard in its SQL decides.
    const schema = 'pa_k';
    const processor = publicArticlesProcessor(schema);
    const id = randomUUID();
    const s = story(id);
    await processorSpec(processor, specDb())
      .given()
      .when([])
      .then(async () => undefined);
    const [published, corrected, retracted] = articleMessages(id, [
      s.published(2),
      s.corrected,
      s.retracted,
    ]);
    const context = { sql: specDb(), schema: `"${schema}"`, log: () => undefined };
    await processor.handle([published!, corrected!, retracted!], context);
    await processor.handle([corrected!, published!], context); // late and out of order
    expect(await readPublicArticle(specDb(), schema, id)).toEqual({
      kind: 'retracted',
      notice: 'Bài đã bị rút.',
      retractedAt: at(55),
    });
    const { rows } = await specDb().query<{ change: string }>(
      `SELECT change FROM ${schema}.public_changes WHERE article_id = $1 ORDER BY seq`,
      [id],
    );
    expect(rows.map((r) => r.change)).toEqual(['published', 'corrected', 'retracted']);
  });

  it('filters by section and language, and pages newest first', async () => {
    const schema = 'pa_h';
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      const language = i === 2 ? 'en' : 'vi';
      const event = {
        type: 'ArticlePublished.v1',
        data: {
          articleId: id,
          at: at(i),
          by: system,
          version: 1,
          content: { ...content, language },
        },
      } as ArticleEvent;
      await processorSpec(publicArticlesProcessor(schema), specDb())
        .given()
        .when(articleMessages(id, [event]))
        .then(async () => undefined);
    }
    const first = await readPublicArticles(specDb(), schema, { limit: '2' });
    expect(first.items.map((a) => a.articleId)).toEqual([ids[2], ids[1]]);
    expect(first.next).toBeDefined();
    const second = await readPublicArticles(specDb(), schema, { limit: '2', cursor: first.next! });
    expect(second).toEqual({ items: [expect.objectContaining({ articleId: ids[0] })] });
    const vi = await readPublicArticles(specDb(), schema, { language: 'VI', section: 'Thời sự' });
    expect(vi.items.map((a) => a.articleId)).toEqual([ids[1], ids[0]]);
    expect((await readPublicArticles(specDb(), schema, { section: 'Kinh tế' })).items).toEqual([]);
  });
});
