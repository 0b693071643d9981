/**
 * The review queue over HTTP (`GET /v1/reviews`) on `npm start`'s wiring (the processor fed
 * by the store's own log), on PGlite and PostgreSQL: each step of a review moves the article
 * in the queue; filters, newest first, paging; editors and admins only; a bad query is a 400
 * with its field paths.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.q' } as const;
const editor = { role: 'editor', sub: 'editor.q' } as const;
const admin = { role: 'admin', sub: 'admin.q' } as const;

describe.each(STORE_KINDS)('the review queue on %s', (kind) => {
  const sys = useTestSystem(kind);

  const submittedDraft = async (section: string) => {
    const id = randomUUID();
    const content = { ...seedContent(), section };
    expect(
      (await sys.post('/v1/drafts', reporter, { articleId: id, data: { content } })).status,
    ).toBe(201);
    expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, {})).status).toBe(200);
    return id;
  };
  const queue = async (query = '') => {
    await sys.caughtUp();
    const reply = await sys.get(`/v1/reviews${query}`, editor);
    expect(reply.status, reply.text).toBe(200);
    return reply.body as { items: Record<string, unknown>[]; next?: string };
  };
  const entryOf = async (id: string, query = '') =>
    (await queue(query)).items.find((entry) => entry.articleId === id);

  it('follows an article through its review', async () => {
    const section = `review-${randomUUID()}`;
    const id = await submittedDraft(section);
    expect(await entryOf(id)).toMatchObject({
      status: 'pending',
      kind: 'article',
      section,
      submittedBy: 'reporter.q',
      assignee: null,
      revision: 1,
      comments: [],
    });

    expect(
      (await sys.post(`/v1/reviews/${id}/assign`, editor, { data: { reviewerId: 'editor.q' } }))
        .status,
    ).toBe(200);
    expect(await entryOf(id, '?status=in_review&assignee=editor.q')).toMatchObject({
      status: 'in_review',
      assignee: 'editor.q',
      revision: 2,
    });

    const comments = [{ text: 'Thêm tóm tắt cho bài viết.', blockIndex: 0 }];
    expect(
      (await sys.post(`/v1/reviews/${id}/request-changes`, editor, { data: { comments } })).status,
    ).toBe(200);
    expect(await entryOf(id, '?status=changes_requested')).toMatchObject({
      status: 'changes_requested',
      comments,
    });
    expect(await entryOf(id, '?status=pending')).toBeUndefined();

    expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, {})).status).toBe(200);
    expect(await entryOf(id)).toMatchObject({ status: 'in_review', assignee: 'editor.q' });

    expect((await sys.post(`/v1/reviews/${id}/approve`, editor, {})).status).toBe(200);
    expect(await entryOf(id)).toBeUndefined();
  });

  it('pages newest first, filtered by section', async () => {
    const section = `paging-${randomUUID()}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await submittedDraft(section));
    const first = await queue(`?section=${section}&limit=2`);
    expect(first.items.map((e) => e.articleId)).toEqual([ids[2], ids[1]]);
    expect(first.next).toEqual(expect.any(String));
    const second = await queue(`?section=${section}&limit=2&cursor=${first.next}`);
    expect(second.items.map((e) => e.articleId)).toEqual([ids[0]]);
    expect(second.next).toBeUndefined();
  });

  it('is for editors and admins only, and says which query parameters are wrong', async () => {
    await sys.caughtUp();
    expect((await sys.get('/v1/reviews', admin)).status).toBe(200);
    const refused = await sys.get('/v1/reviews', reporter);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await sys.request('GET', '/v1/reviews')).status).toBe(401);

    const bad = await sys.get('/v1/reviews?status=done&limit=0&colour=red&cursor=%21', editor);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'colour',
      'cursor',
      'limit',
      'status',
    ]);
    // Cursors a client made up: never handed to SQL (a 400, never a 500).
    const uuid = randomUUID();
    for (const made of [
      ['x', 'y'],
      ['2026-02-30T00:00:00.000Z', uuid],
      ['1', uuid],
      ['+275760-09-13T00:00:00.000Z', uuid],
      ['2026-04-08T14:00:00.000Z', '-'.repeat(36)],
    ]) {
      const cursor = Buffer.from(JSON.stringify(made)).toString('base64url');
      const forged = await sys.get(`/v1/reviews?cursor=${cursor}`, editor);
      expect(forged.status, JSON.stringify(made)).toBe(400);
      expect(forged.body.errors).toEqual([
        { path: 'cursor', message: 'expected a cursor from `next`' },
      ]);
    }
  });
});
