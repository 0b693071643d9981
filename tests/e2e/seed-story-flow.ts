/**
 * The seed article's story through every service, over HTTP, for a system however it is wired
 * (separate processes over Kafka, or `npm start`'s one process): the review queue checked at
 * each step, the publication and the correction in the syndication read model, a second
 * article scheduled a few seconds ahead firing on time, and the audit history. Read models are
 * eventually consistent, so each check waits on its condition. Returns what the read models
 * showed, with times and ids taken out, so that two wirings can be compared.
 */
import { expect } from 'vitest';
import { waitFor } from '@newsroom/messaging';
import { seedContent } from './seed-article.js';

export type ServiceName = 'drafting' | 'review' | 'publishing' | 'syndication' | 'audit';

export interface StoryApi {
  readonly url: (service: ServiceName) => string;
  readonly token: (role: string, sub: string) => Promise<string>;
  /** What requests go through (default the global fetch): a test records them with it. */
  readonly fetch?: typeof fetch;
}

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface As {
  readonly role: string;
  readonly sub: string;
}

const reporter: As = { role: 'reporter', sub: 'hoang.tung' };
const editorA: As = { role: 'editor', sub: 'editor.a' };
const editorB: As = { role: 'editor', sub: 'editor.b' };
const publisher: As = { role: 'publisher', sub: 'publisher.p' };
const auditor: As = { role: 'auditor', sub: 'auditor.k' };

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/** Times, ids, hashes and positions out: what two wirings of one story must agree on. */
export const comparable = (value: unknown, ids: readonly string[]): unknown =>
  JSON.parse(
    ids
      .reduce(
        (text, id, i) => text.replaceAll(id, `<article ${i}>`),
        JSON.stringify(value, (key, v: unknown) =>
          [
            'hash',
            'previousHash',
            'position',
            'eventId',
            'commandId',
            'correlationId',
            'causationId',
          ].includes(key)
            ? undefined
            : v,
        ),
      )
      .replace(ISO, '<time>'),
  );

export const runSeedStory = async (
  api: StoryApi,
  ids: {
    readonly articleId: string;
    readonly scheduledId: string;
    readonly embargoedId: string;
    readonly section: string;
  },
) => {
  const send = async (service: ServiceName, path: string, as: As | undefined, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (as !== undefined) headers['authorization'] = `Bearer ${await api.token(as.role, as.sub)}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await (api.fetch ?? fetch)(`${api.url(service)}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as Json };
  };
  const command = async (service: ServiceName, path: string, as: As, body: unknown = {}) => {
    const reply = await send(service, path, as, body);
    expect(reply.status, `${path}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    return reply.body;
  };
  const { articleId, scheduledId, embargoedId, section } = ids;
  const queue = `/v1/reviews?section=${encodeURIComponent(section)}`;
  const steps: unknown[] = [];
  /** The queue's entry for the article once `until` holds for it (undefined: not listed). */
  const queueEntry = (id: string, until: (entry: Json) => boolean, description: string) =>
    waitFor(
      async () => {
        const reply = await send('review', queue, editorB);
        if (reply.status !== 200) return false;
        const entry = (reply.body.items as Json[]).find((i) => i.articleId === id);
        return until(entry) && { entry };
      },
      30_000,
      { description: `review queue: ${description}`, intervalMs: 50 },
    ).then(({ entry }) => {
      steps.push(entry ?? null);
      return entry as Json;
    });
  const publicArticle = (id: string, until: (reply: Json) => boolean, description: string) =>
    waitFor(
      async () => {
        const reply = await send('syndication', `/v1/feeds/articles/${id}`, undefined);
        return until(reply) && reply;
      },
      30_000,
      { description: `syndication: ${description}`, intervalMs: 50 },
    );

  const original = { ...seedContent(), section };
  await command('drafting', '/v1/drafts', reporter, { articleId, data: { content: original } });
  await command('drafting', `/v1/drafts/${articleId}/submit`, reporter);
  const pending = await queueEntry(articleId, (e) => e?.status === 'pending', 'pending');
  expect(pending).toMatchObject({ submittedBy: 'hoang.tung', assignee: null, kind: 'article' });

  await command('review', `/v1/reviews/${articleId}/assign`, editorA, {
    data: { reviewerId: 'editor.a' },
  });
  await queueEntry(
    articleId,
    (e) => e?.status === 'in_review' && e.assignee === 'editor.a',
    'assigned',
  );

  const comments = [{ text: 'Thêm tóm tắt cho bài viết.', blockIndex: 0 }];
  await command('review', `/v1/reviews/${articleId}/request-changes`, editorA, {
    data: { comments },
  });
  const sentBack = await queueEntry(articleId, (e) => e?.status === 'changes_requested', 'changes');
  expect(sentBack.comments).toEqual(comments);

  const revised = { ...original, summary: 'Ban Thường vụ Thành ủy cho ý kiến.' };
  await command('drafting', `/v1/drafts/${articleId}/revise`, reporter, {
    data: { content: revised, note: 'thêm tóm tắt' },
  });
  await command('drafting', `/v1/drafts/${articleId}/submit`, reporter);
  await queueEntry(articleId, (e) => e?.status === 'in_review' && e.revision === 5, 'resubmitted');

  // Four eyes across processes: editor A edits, so editor B approves.
  const edited = {
    ...revised,
    blocks: revised.blocks.map((b, i) =>
      i === 0 && b.kind === 'paragraph' ? { ...b, text: `${b.text} (Cổng TTĐT)` } : b,
    ),
  };
  await command('drafting', `/v1/drafts/${articleId}/revise`, editorA, {
    data: { content: edited },
  });
  const refused = await send('review', `/v1/reviews/${articleId}/approve`, editorA, {});
  expect(refused.status).toBe(403);
  await command('review', `/v1/reviews/${articleId}/approve`, editorB, {
    data: { note: 'Duyệt.' },
  });
  await queueEntry(articleId, (e) => e === undefined, 'approved: out of the queue');

  await command('publishing', `/v1/publications/${articleId}/publish`, publisher, {
    data: { mode: 'now' },
  });
  const v1 = await publicArticle(articleId, (r) => r.status === 200, 'version 1 public');
  expect(v1.body).toMatchObject({ version: 1, corrections: [] });
  expect(v1.body.content).toEqual(edited);

  const corrected = {
    ...edited,
    blocks: edited.blocks.map((b) =>
      b.kind === 'paragraph' && b.text.includes('Đại hội VIII')
        ? { ...b, text: b.text.replace('Đại hội VIII', 'Đại hội XIII') }
        : b,
    ),
  };
  const notice = 'Đính chính: đúng là "Đại hội XIII" của Đảng.';
  await command('publishing', `/v1/publications/${articleId}/corrections`, reporter, {
    data: { content: corrected, notice },
  });
  await queueEntry(articleId, (e) => e?.kind === 'correction', 'correction in review');
  await command('review', `/v1/reviews/${articleId}/approve`, editorA);
  await queueEntry(articleId, (e) => e === undefined, 'correction approved');
  await command('publishing', `/v1/publications/${articleId}/corrections/publish`, publisher);
  const v2 = await publicArticle(articleId, (r) => r.body?.version === 2, 'version 2 public');
  expect(v2.body.content).toEqual(corrected); // byte for byte, after two hops over Kafka
  expect(v2.body.corrections).toEqual([{ version: 2, notice, at: expect.any(String) }]);
  expect(v2.body.firstPublishedAt).toBe(v1.body.firstPublishedAt);

  // Two more: one scheduled, one embargoed, both five seconds ahead; out of the feed until the
  // scheduler releases them.
  const held = async (id: string, headline: string, mode: Record<string, string>) => {
    await command('drafting', '/v1/drafts', reporter, {
      articleId: id,
      data: { content: { ...original, headline } },
    });
    await command('drafting', `/v1/drafts/${id}/submit`, reporter);
    await command('review', `/v1/reviews/${id}/approve`, editorB);
    await command('publishing', `/v1/publications/${id}/publish`, publisher, { data: mode });
  };
  const releaseAt = new Date(Date.now() + 5_000).toISOString();
  await held(scheduledId, 'Lịch làm việc tuần tới', { mode: 'scheduled', at: releaseAt });
  await held(embargoedId, 'Thông cáo báo chí (cấm đăng trước giờ)', {
    mode: 'embargoed',
    until: releaseAt,
  });
  for (const id of [scheduledId, embargoedId]) {
    expect((await send('syndication', `/v1/feeds/articles/${id}`, undefined)).status).toBe(404);
  }
  const fired = await publicArticle(scheduledId, (r) => r.status === 200, 'scheduled fired');
  const released = await publicArticle(embargoedId, (r) => r.status === 200, 'embargo over');
  for (const out of [fired, released]) {
    expect(Date.parse(out.body.firstPublishedAt)).toBeGreaterThanOrEqual(Date.parse(releaseAt));
  }

  const feed = await send(
    'syndication',
    `/v1/feeds/articles?section=${encodeURIComponent(section)}`,
    undefined,
  );
  const listed: string[] = feed.body.items.map((a: Json) => a.articleId);
  // The two released together come first, in either order (milliseconds apart).
  expect(new Set(listed.slice(0, 2))).toEqual(new Set([scheduledId, embargoedId]));
  expect(listed.slice(2)).toEqual([articleId]);

  const historyOf = (id: string) =>
    send('audit', `/v1/audit/articles/${id}/history`, auditor).then((r) => {
      expect(r.status).toBe(200);
      return r.body;
    });
  const history = await historyOf(articleId);
  const scheduledHistory = await historyOf(scheduledId);
  const embargoedHistory = await historyOf(embargoedId);
  // Each released once, by the scheduler, however many publishing processes run.
  for (const h of [scheduledHistory, embargoedHistory]) {
    expect(
      h.events.filter((e: Json) => e.type === 'ArticlePublished.v1').map((e: Json) => e.actor),
    ).toEqual([{ id: 'publishing-scheduler', role: 'system' }]);
  }

  const byHeadline = (a: Json, b: Json) => a.content.headline.localeCompare(b.content.headline);
  const everything = {
    queue: steps,
    v1: v1.body,
    v2: v2.body,
    fired: fired.body,
    released: released.body,
    feed: [...feed.body.items].sort(byHeadline),
  };
  const ids3 = [articleId, scheduledId, embargoedId];
  return {
    history,
    scheduledHistory,
    readModels: comparable(everything, ids3),
    audit: comparable({ history, scheduledHistory, embargoedHistory }, ids3),
  };
};
