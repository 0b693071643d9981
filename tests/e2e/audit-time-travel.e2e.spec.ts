/**
 * Time travel from the record (one process, PGlite): the article as the newsroom had it at any
 * revision or instant, what the public saw at any instant (nothing before the embargo ended,
 * version 1, version 2 after the correction, the tombstone after the retraction), and
 * everything one actor did; for auditors and admins only. Instants are the store's recorded
 * times, so the test takes them from the real clock between its steps.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.t' } as const;
const editor = { role: 'editor', sub: 'editor.t' } as const;
const publisher = { role: 'publisher', sub: 'publisher.t' } as const;
const auditor = { role: 'auditor', sub: 'auditor.t' } as const;

const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
const pause = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('audit time travel', () => {
  const sys = useTestSystem('pglite');
  /** Sends, and answers an instant after it was recorded and before the next step. */
  const step = async (send: () => Promise<{ status: number; text: string }>) => {
    const reply = await send();
    expect(reply.status, reply.text).toBeLessThan(300);
    await pause();
    const after = Date.now();
    await pause();
    return after;
  };
  type Item = { articleId: string; type: string; actor: { id: string } };
  const mine = (items: Item[], id: string) => items.filter((e) => e.articleId === id);

  it('answers what the newsroom had and what the public saw at any instant, and who did what', async () => {
    const id = randomUUID();
    const content = seedContent();
    const before = Date.now();
    await pause();
    const drafted = await step(() =>
      sys.post('/v1/drafts', reporter, { articleId: id, data: { content } }),
    );
    const submitted = await step(() => sys.post(`/v1/drafts/${id}/submit`, reporter, {}));
    await step(() => sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    const until = Date.now() + 2_000;
    const embargoed = await step(() =>
      sys.post(`/v1/publications/${id}/publish`, publisher, {
        data: { mode: 'embargoed', until: new Date(until).toISOString() },
      }),
    );
    await expect
      .poll(async () => (await sys.get(`/v1/publications/${id}`, publisher)).body.status, {
        timeout: 10_000,
      })
      .toBe('Published');
    await pause();
    const released = Date.now();
    const corrected = { ...content, headline: `${content.headline} (đính chính)` };
    await step(() =>
      sys.post(`/v1/publications/${id}/corrections`, reporter, {
        data: { content: corrected, notice: 'Đính chính tiêu đề.' },
      }),
    );
    await step(() => sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    const v2 = await step(() =>
      sys.post(`/v1/publications/${id}/corrections/publish`, publisher, {}),
    );
    const retracted = await step(() =>
      sys.post(`/v1/publications/${id}/retract`, publisher, {
        data: { reason: 'sai', notice: 'Bài viết bị thu hồi.' },
      }),
    );

    const publicAt = async (ms: number) => {
      const reply = await sys.get(`/v1/audit/articles/${id}/public?at=${iso(ms)}`, auditor);
      expect(reply.status, reply.text).toBe(200);
      return reply.body.public;
    };
    expect(await publicAt(drafted)).toBeNull();
    expect(await publicAt(embargoed)).toBeNull(); // embargoed: nothing, though scheduled
    expect(await publicAt(released)).toMatchObject({ kind: 'published', version: 1, content });
    expect(await publicAt(v2)).toMatchObject({ kind: 'published', version: 2, content: corrected });
    expect(await publicAt(retracted)).toMatchObject({
      kind: 'retracted',
      notice: 'Bài viết bị thu hồi.',
    });
    expect(
      (await sys.get(`/v1/audit/articles/${id}/public?at=${iso(before)}`, auditor)).status,
    ).toBe(404);

    const state = async (query: string) =>
      (await sys.get(`/v1/audit/articles/${id}/state?${query}`, auditor)).body;
    expect(await state('revision=0')).toMatchObject({
      revision: 0,
      status: 'Draft',
      article: { content },
    });
    expect(await state(`at=${iso(submitted)}`)).toMatchObject({ revision: 1, status: 'InReview' });
    expect(await state(`at=${iso(embargoed)}`)).toMatchObject({ status: 'Scheduled' });
    expect(await state(`at=${iso(retracted)}`)).toMatchObject({ status: 'Retracted' });
    expect(
      (await sys.get(`/v1/audit/articles/${id}/state?at=${iso(before)}`, auditor)).status,
    ).toBe(404);
    expect((await sys.get(`/v1/audit/articles/${id}/state?revision=x`, auditor)).status).toBe(400);
    expect((await sys.get(`/v1/audit/articles/${id}/public?revision=1`, auditor)).status).toBe(400);
    expect((await sys.get(`/v1/audit/articles/${id}/state`, editor)).status).toBe(403);

    // Everything the publisher did, in the log's order; the scheduler's release is the system's.
    const actions = await sys.get('/v1/audit/actors/publisher.t', auditor);
    expect(actions.status).toBe(200);
    expect(mine(actions.body.items, id).map((e) => e.type)).toEqual([
      'PublicationScheduled.v1',
      'CorrectionPublished.v1',
      'ArticleRetracted.v1',
    ]);
    const system = await sys.get('/v1/audit/actors/publishing-scheduler', auditor);
    expect(mine(system.body.items, id)).toMatchObject([
      { type: 'ArticlePublished.v1', actor: { id: 'publishing-scheduler', role: 'system' } },
    ]);
    const first = await sys.get('/v1/audit/actors/reporter.t?limit=1', auditor);
    expect(first.body.items).toHaveLength(1);
    const rest = await sys.get(
      `/v1/audit/actors/reporter.t?limit=100&cursor=${first.body.next}`,
      auditor,
    );
    expect(mine([...first.body.items, ...rest.body.items], id).map((e) => e.type)).toEqual([
      'DraftCreated.v1',
      'SubmittedForReview.v1',
      'CorrectionDrafted.v1',
    ]);
    expect((await sys.get('/v1/audit/actors/reporter.t?cursor=abc', auditor)).status).toBe(400);
  });

  it('diffs any two versions word by word: the VIII-to-XIII correction is one syllable', async () => {
    const id = randomUUID();
    const content = seedContent();
    await step(() => sys.post('/v1/drafts', reporter, { articleId: id, data: { content } }));
    await step(() => sys.post(`/v1/drafts/${id}/submit`, reporter, {}));
    await step(() => sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    await step(() =>
      sys.post(`/v1/publications/${id}/publish`, publisher, { data: { mode: 'now' } }),
    );
    const fixedAt = content.blocks.findIndex(
      (b) => b.kind === 'paragraph' && b.text.includes('Đại hội VIII'),
    );
    expect(fixedAt).toBeGreaterThanOrEqual(0);
    const corrected = {
      ...content,
      blocks: content.blocks.map((b, i) =>
        i === fixedAt && b.kind === 'paragraph'
          ? { ...b, text: b.text.replace('Đại hội VIII', 'Đại hội XIII') }
          : b,
      ),
    };
    await step(() =>
      sys.post(`/v1/publications/${id}/corrections`, reporter, {
        data: { content: corrected, notice: 'Đính chính.' },
      }),
    );
    await step(() => sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    await step(() => sys.post(`/v1/publications/${id}/corrections/publish`, publisher, {}));

    const diff = await sys.get(`/v1/audit/articles/${id}/diff?from=v1&to=v2`, auditor);
    expect(diff.status, diff.text).toBe(200);
    expect(diff.body.changed).toHaveLength(1);
    const [field] = diff.body.changed;
    expect(field.path).toBe(`blocks.${fixedAt}.text`);
    expect(field.parts.filter((p: { op: string }) => p.op !== 'equal')).toEqual([
      { op: 'delete', text: 'VIII' },
      { op: 'insert', text: 'XIII' },
    ]);
    expect(diff.body.unchanged).toBeGreaterThan(10);
    // The equal parts are the stored text, byte for byte.
    const before = field.parts
      .filter((p: { op: string }) => p.op !== 'insert')
      .map((p: { text: string }) => p.text)
      .join('');
    expect(before).toBe((content.blocks[fixedAt] as { text: string }).text);

    const text = await sys.request('GET', `/v1/audit/articles/${id}/diff?from=v1&to=v2`, {
      token: await sys.token('auditor', 'auditor.t'),
      headers: { accept: 'text/plain' },
    });
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.text).toContain('Đại hội [-VIII-]{+XIII+}');
    const html = await sys.request('GET', `/v1/audit/articles/${id}/diff?from=v1&to=v2`, {
      token: await sys.token('auditor', 'auditor.t'),
      headers: { accept: 'text/html' },
    });
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toContain('Đại hội <del>VIII</del><ins>XIII</ins>');
    // Revisions work too: the draft as created against the text as it is now.
    const revisions = await sys.get(`/v1/audit/articles/${id}/diff?from=0&to=6`, auditor);
    expect(revisions.status).toBe(200);
    expect(revisions.body.changed.map((c: { path: string }) => c.path)).toEqual([
      `blocks.${fixedAt}.text`,
    ]);
    expect((await sys.get(`/v1/audit/articles/${id}/diff?from=v1&to=v9`, auditor)).status).toBe(
      404,
    );
    expect((await sys.get(`/v1/audit/articles/${id}/diff?from=x&to=v2`, auditor)).status).toBe(400);
    expect((await sys.get(`/v1/audit/articles/${id}/diff?from=v1&to=v2`, editor)).status).toBe(403);
  });
});
