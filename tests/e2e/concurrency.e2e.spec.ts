/**
 * Races over HTTP, on both stores: 64 commands at once on one article. Without If-Match every
 * one is retried until it lands (none lost, none doubled); with one shared If-Match exactly one
 * lands and the rest get 412; 64 creations with one command id make one article; one command id
 * on 64 different article ids creates one of them and refuses the rest with 409.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useTestSystem } from './harness.js';
import type { Reply } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.c' } as const;
const N = 64;
const PROBLEM_JSON = /^application\/problem\+json/;

const statusCounts = (replies: readonly Reply[]): Record<number, number> =>
  replies.reduce<Record<number, number>>((counts, r) => {
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    return counts;
  }, {});

/** Every answer, for a failing assertion's message. */
const describeReplies = (replies: readonly Reply[]): string =>
  JSON.stringify(replies.map((r) => ({ status: r.status, body: r.body ?? r.text })));

describe.each(STORE_KINDS)('64 racing commands on %s', (kind) => {
  const sys = useTestSystem(kind);

  const readStream = (id: string) => sys.store.readStream(`article-${id}`);
  const commandIdOf = (metadata: unknown): string => (metadata as { commandId: string }).commandId;

  const create = async () => {
    const id = randomUUID();
    const reply = await sys.post('/v1/drafts', reporter, {
      commandId: randomUUID(),
      articleId: id,
      data: { content: seedContent() },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.revision).toBe(0);
    return id;
  };

  it('without If-Match, 64 concurrent revisions all land exactly once, in 64 distinct revisions', async () => {
    const id = await create();
    const commands = Array.from({ length: N }, (_, i) => ({
      commandId: randomUUID(),
      data: { content: { ...seedContent(), summary: `Bản tóm tắt số ${i}.` } },
    }));
    const path = `/v1/drafts/${id}/revise`;
    const raced = await Promise.all(commands.map((body) => sys.post(path, reporter, body)));

    // One process queues the commands of one stream (StreamQueue), so none of the 64 loses a
    // race to another and every one lands at once (before the queue, 20 pooled connections
    // raced each revision on PostgreSQL and a few of the 64 ran out of retries with a 409).
    const replies = raced;
    expect(statusCounts(replies), describeReplies(replies)).toEqual({ 200: N });
    for (const reply of replies) {
      expect(reply.body).toMatchObject({
        articleId: id,
        status: 'Draft',
        events: ['DraftRevised.v1'],
        replayed: false,
      });
      expect(reply.headers.get('etag')).toBe(`"${reply.body.revision}"`);
    }
    const revisions = replies.map((r) => r.body.revision as number).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: N }, (_, i) => i + 1));

    const events = await readStream(id);
    expect(events).toHaveLength(1 + N);
    expect(events.map((e) => e.type)).toEqual([
      'DraftCreated.v1',
      ...Array(N).fill('DraftRevised.v1'),
    ]);
    const ids = events.slice(1).map((e) => commandIdOf(e.metadata));
    for (const { commandId } of commands) {
      expect(
        ids.filter((c) => c === commandId),
        commandId,
      ).toHaveLength(1);
    }
    // Each answer names the revision its own event landed at, with its own text.
    replies.forEach((reply, i) => {
      const event = events[reply.body.revision as number];
      expect(commandIdOf(event?.metadata)).toBe(commands[i]?.commandId);
      expect((event?.data as { content: unknown }).content).toEqual(commands[i]?.data.content);
    });

    const last = events[events.length - 1];
    const view = await sys.get(`/v1/drafts/${id}`, reporter);
    expect(view.status).toBe(200);
    expect(view.headers.get('etag')).toBe(`"${N}"`);
    expect(view.body.revision).toBe(N);
    expect(view.body.article.content).toEqual((last?.data as { content: unknown }).content);
  });

  it('with one shared If-Match, exactly one of 64 lands and 63 get 412 with the current revision', async () => {
    const id = await create();
    const replies = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        sys.post(
          `/v1/drafts/${id}/revise`,
          reporter,
          {
            commandId: randomUUID(),
            data: { content: { ...seedContent(), summary: `Bản tóm tắt số ${i}.` } },
          },
          { 'if-match': '"0"' },
        ),
      ),
    );

    expect(statusCounts(replies), describeReplies(replies)).toEqual({ 200: 1, 412: N - 1 });
    const winner = replies.find((r) => r.status === 200);
    expect(winner?.body).toMatchObject({ articleId: id, revision: 1, replayed: false });
    expect(winner?.headers.get('etag')).toBe('"1"');
    for (const stale of replies.filter((r) => r.status === 412)) {
      expect(stale.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(typeof stale.body.currentRevision).toBe('number');
      // Nothing but the winner appended, so every loser is told the stream is at revision 1.
      expect(stale.body).toMatchObject({ status: 412, currentRevision: 1 });
      expect(stale.headers.get('etag')).toBe('"1"');
    }
    const events = await readStream(id);
    expect(events.map((e) => e.type)).toEqual(['DraftCreated.v1', 'DraftRevised.v1']);
  });

  describe.each([
    ['without an article id', false],
    ['with one explicit article id', true],
  ] as const)('64 concurrent creations with one command id, %s', (_label, explicit) => {
    it('create exactly one article: one 201, 63 replays, all naming it at revision 0', async () => {
      const commandId = randomUUID();
      const articleId = randomUUID();
      const body = {
        commandId,
        ...(explicit ? { articleId } : {}),
        data: { content: seedContent() },
      };
      const replies = await Promise.all(
        Array.from({ length: N }, () => sys.post('/v1/drafts', reporter, body)),
      );

      expect(statusCounts(replies), describeReplies(replies)).toEqual({ 201: 1, 200: N - 1 });
      const ids = new Set(replies.map((r) => r.body.articleId as string));
      expect(ids.size).toBe(1);
      const [id] = [...ids] as [string];
      if (explicit) expect(id).toBe(articleId);
      for (const reply of replies) {
        expect(reply.body).toMatchObject({
          articleId: id,
          revision: 0,
          status: 'Draft',
          events: ['DraftCreated.v1'],
          replayed: reply.status === 200,
        });
        expect(reply.headers.get('etag')).toBe('"0"');
        expect(reply.headers.get('location')).toBe(`/v1/drafts/${id}`);
      }

      const events = await readStream(id);
      expect(events.map((e) => e.type)).toEqual(['DraftCreated.v1']);
      expect(commandIdOf(events[0]?.metadata)).toBe(commandId);
      if (!explicit) expect(await readStream(articleId)).toHaveLength(0);
    });
  });

  it('one command id on 64 different article ids creates one article; the rest get 409', async () => {
    const commandId = randomUUID();
    const articleIds = Array.from({ length: N }, () => randomUUID());
    const replies = await Promise.all(
      articleIds.map((articleId) =>
        sys.post('/v1/drafts', reporter, {
          commandId,
          articleId,
          data: { content: seedContent() },
        }),
      ),
    );

    expect(statusCounts(replies), describeReplies(replies)).toEqual({ 201: 1, 409: N - 1 });
    const winner = replies.findIndex((r) => r.status === 201);
    expect(replies[winner]?.body).toMatchObject({
      articleId: articleIds[winner],
      revision: 0,
      replayed: false,
    });
    for (const reused of replies.filter((r) => r.status === 409)) {
      expect(reused.headers.get('content-type')).toMatch(PROBLEM_JSON);
      expect(reused.body).toMatchObject({ status: 409, title: 'Command Id Reused' });
    }

    const lengths = await Promise.all(articleIds.map(async (id) => (await readStream(id)).length));
    expect(lengths.filter((n) => n > 0)).toEqual([1]);
    expect(lengths[winner]).toBe(1);
    const [event] = await readStream(articleIds[winner] as string);
    expect(commandIdOf(event?.metadata)).toBe(commandId);
  });
});
