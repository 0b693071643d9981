/**
 * The syndication and audit HTTP edges in one process (PGlite): what a consumer sees of an
 * article through publication, unpublication and retraction; a bad query is a 400 naming its
 * fields; the history is for auditors and admins only, as JSON or NDJSON, read from the store.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalEvent, eventHash } from '@newsroom/event-store';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.f' } as const;
const editor = { role: 'editor', sub: 'editor.f' } as const;
const publisher = { role: 'publisher', sub: 'publisher.f' } as const;
const auditor = { role: 'auditor', sub: 'auditor.f' } as const;

describe('feeds and history', () => {
  const sys = useTestSystem('pglite');

  const publish = async (section: string) => {
    const id = randomUUID();
    const content = { ...seedContent(), section };
    expect(
      (await sys.post('/v1/drafts', reporter, { articleId: id, data: { content } })).status,
    ).toBe(201);
    expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, {})).status).toBe(200);
    expect((await sys.post(`/v1/reviews/${id}/approve`, editor, {})).status).toBe(200);
    const out = await sys.post(`/v1/publications/${id}/publish`, publisher, {
      data: { mode: 'now' },
    });
    expect(out.status).toBe(200);
    return { id, content };
  };
  const feed = (id: string) => sys.request('GET', `/v1/feeds/articles/${id}`);

  it('shows a publication, hides it once unpublished, and answers 410 with the notice once retracted', async () => {
    const { id, content } = await publish(`feeds ${randomUUID()}`);
    await sys.caughtUp();
    const shown = await feed(id);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ articleId: id, version: 1, content });

    const unpublished = await sys.post(`/v1/publications/${id}/unpublish`, publisher, {
      data: { reason: 'Tạm gỡ để kiểm tra' },
    });
    expect(unpublished.status).toBe(200);
    await sys.caughtUp();
    expect((await feed(id)).status).toBe(404);

    const { id: other } = await publish(`feeds ${randomUUID()}`);
    const notice = 'Bài viết đã bị rút do thông tin chưa được kiểm chứng.';
    const retracted = await sys.post(`/v1/publications/${other}/retract`, publisher, {
      data: { reason: 'Sai sự thật', notice },
    });
    expect(retracted.status).toBe(200);
    await sys.caughtUp();
    const gone = await feed(other);
    expect(gone.status).toBe(410);
    expect(gone.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(gone.body).toMatchObject({ status: 410, notice });
    expect((await feed(randomUUID())).status).toBe(404);
    expect((await feed('not-a-uuid')).status).toBe(404);
  });

  it('refuses a bad feed query with the failing fields, never a 5xx', async () => {
    const bad = await sys.request('GET', '/v1/feeds/articles?limit=0&cursor=abc&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'colour',
      'limit',
    ]);
    const cursor = await sys.request('GET', '/v1/feeds/articles?cursor=bm90LWEtY3Vyc29y');
    expect(cursor.status).toBe(400);
    expect(cursor.body.errors).toEqual([
      { path: 'cursor', message: 'expected a cursor from `next`' },
    ]);
    // Shaped like a real cursor, but year 0 (which PostgreSQL cannot cast): refused, not a 500.
    const year0 = Buffer.from(JSON.stringify(['0000-01-01T00:00:00.000Z', randomUUID()])).toString(
      'base64url',
    );
    for (const path of ['/v1/feeds/articles', '/v1/reviews']) {
      const refused = await sys.request('GET', `${path}?cursor=${year0}`, {
        token: await sys.token('editor', 'editor.f'),
      });
      expect(refused.status, path).toBe(400);
    }
    const repeated = await sys.request('GET', '/v1/feeds/articles?limit=1&limit=2&section=');
    expect(repeated.status).toBe(400);
    expect(repeated.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'limit',
      'section',
    ]);
  });

  it('gives the history to auditors and admins, as JSON or NDJSON, and to no one else', async () => {
    const { id } = await publish(`history ${randomUUID()}`);
    expect((await sys.get(`/v1/audit/articles/${id}/history`, editor)).status).toBe(403);
    expect((await sys.request('GET', `/v1/audit/articles/${id}/history`)).status).toBe(401);
    const json = await sys.get(`/v1/audit/articles/${id}/history`, auditor);
    expect(json.status).toBe(200);
    const stored = await sys.store.readStream(`article-${id}`);
    expect(json.body.events).toHaveLength(stored.length);
    expect(json.body.events.map((e: { hash: string }) => e.hash)).toEqual(
      stored.map((e) => e.hash),
    );
    expect(json.body.events[3]).toMatchObject({
      revision: 3,
      type: 'ArticlePublished.v1',
      summary: `published as version 1: “${seedContent().headline}”`,
      actor: { id: 'publisher.f', role: 'publisher' },
      commandType: 'PublishArticle',
    });
    const ndjson = await sys.request('GET', `/v1/audit/articles/${id}/history`, {
      token: await sys.token('admin', 'admin.f'),
      headers: { accept: 'application/x-ndjson' },
    });
    expect(ndjson.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const lines = ndjson.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(lines).toEqual(json.body.events);
    // Each hash recomputed from what the history returns: the data and metadata as stored.
    for (const e of json.body.events) {
      const canonical = canonicalEvent({
        id: e.eventId,
        type: e.type,
        data: e.data,
        metadata: e.metadata,
      });
      expect(
        eventHash(
          e.previousHash,
          `article-${id}`,
          BigInt(e.revision),
          new Date(e.recordedAt),
          canonical,
        ),
      ).toBe(e.hash);
    }
    // An event this version cannot read is listed all the same, as stored.
    await sys.store.appendToStream(`article-${id}`, [
      { id: randomUUID(), type: 'ArticleArchived.v9', data: { articleId: id, shelf: 'B-12' } },
    ]);
    const withUnknown = await sys.get(`/v1/audit/articles/${id}/history`, auditor);
    expect(withUnknown.status).toBe(200);
    expect(withUnknown.body.events.at(-1)).toMatchObject({
      revision: stored.length,
      type: 'ArticleArchived.v9',
      readable: false,
      actor: null,
      data: { articleId: id, shelf: 'B-12' },
    });
    expect(withUnknown.body.events.at(-1).summary).toMatch(/^not readable by this version: /);
    expect((await sys.get(`/v1/audit/articles/${randomUUID()}/history`, auditor)).status).toBe(404);
  });
});
