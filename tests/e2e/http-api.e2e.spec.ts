/**
 * The command API's precise answers: ETag and If-Match (412 with the current revision),
 * retries on conflict without If-Match, idempotent command ids, problem+json with io-ts field
 * paths for bad bodies, 413 over the size limit, and no input that produces a 5xx.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.h' } as const;
const editor = { role: 'editor', sub: 'editor.h' } as const;
const publisher = { role: 'publisher', sub: 'publisher.h' } as const;

describe.each(STORE_KINDS)('command API answers on %s', (kind) => {
  const sys = useTestSystem(kind);

  const create = async () => {
    const id = randomUUID();
    const reply = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: { content: seedContent() },
    });
    expect(reply.status).toBe(201);
    return id;
  };
  const streamLength = async (id: string) => (await sys.store.readStream(`article-${id}`)).length;

  it('a stale If-Match gets 412 with the current revision, and nothing is written', async () => {
    const id = await create();
    await sys.post(`/v1/drafts/${id}/revise`, reporter, {
      data: { content: { ...seedContent(), summary: 'Một.' } },
    });
    const stale = await sys.post(
      `/v1/drafts/${id}/revise`,
      reporter,
      { data: { content: { ...seedContent(), summary: 'Hai.' } } },
      { 'if-match': '"0"' },
    );
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"1"');
    expect(stale.body).toMatchObject({ status: 412, currentRevision: 1 });
    expect(await streamLength(id)).toBe(2);
    const fresh = await sys.post(`/v1/drafts/${id}/submit`, reporter, {}, { 'if-match': '"1"' });
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('etag')).toBe('"2"');
  });

  it('If-Match on an article that does not exist gets 412; without If-Match, 404', async () => {
    const reply = await sys.post(
      `/v1/drafts/${randomUUID()}/submit`,
      reporter,
      {},
      { 'if-match': '"3"' },
    );
    expect(reply.status).toBe(412);
    const unknown = await sys.post(`/v1/drafts/${randomUUID()}/submit`, reporter, {});
    expect(unknown.status).toBe(404);
    expect(unknown.body.rejection._tag).toBe('ArticleNotFound');
  });

  it('a malformed If-Match gets 400', async () => {
    const id = await create();
    const reply = await sys.post(
      `/v1/drafts/${id}/submit`,
      reporter,
      {},
      { 'if-match': 'yesterday' },
    );
    expect(reply.status).toBe(400);
  });

  it('without If-Match, concurrent commands are retried on the fresh state: none is lost', async () => {
    const id = await create();
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        sys.post(`/v1/drafts/${id}/revise`, reporter, {
          data: { content: { ...seedContent(), summary: `Bản ${i}.` } },
        }),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
    const events = await sys.store.readStream(`article-${id}`);
    expect(events.map((e) => e.type)).toEqual([
      'DraftCreated.v1',
      ...Array(8).fill('DraftRevised.v1'),
    ]);
    expect(new Set(replies.map((r) => r.headers.get('etag'))).size).toBe(8);
  });

  it('a retried command id returns the first result and appends nothing', async () => {
    const id = await create();
    const commandId = randomUUID();
    const first = await sys.post(`/v1/drafts/${id}/submit`, reporter, { commandId });
    const again = await sys.post(`/v1/drafts/${id}/submit`, reporter, { commandId });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      revision: first.body.revision,
      replayed: true,
      events: ['SubmittedForReview.v1'],
    });
    expect(await streamLength(id)).toBe(2);
  });

  it('a command id reused for another article is refused with 409, and nothing is written', async () => {
    const a = await create();
    const b = await create();
    const commandId = randomUUID();
    expect((await sys.post(`/v1/drafts/${a}/submit`, reporter, { commandId })).status).toBe(200);
    const reused = await sys.post(`/v1/drafts/${b}/submit`, reporter, { commandId });
    expect(reused.status).toBe(409);
    expect(reused.body.title).toBe('Command Id Reused');
    expect(await streamLength(b)).toBe(1);
  });

  it('a command id sent again with another command is refused with 409, not answered as a retry', async () => {
    const id = await create();
    const commandId = randomUUID();
    expect((await sys.post(`/v1/drafts/${id}/submit`, reporter, { commandId })).status).toBe(200);
    const other = await sys.post(`/v1/drafts/${id}/withdraw`, reporter, { commandId });
    expect(other.status).toBe(409);
    expect(other.body.detail).toMatch(/SubmitForReview/);
    expect(await streamLength(id)).toBe(2);
  });

  it('a retried creation without an article id lands on the same article', async () => {
    const commandId = randomUUID();
    const first = await sys.post('/v1/drafts', reporter, {
      commandId,
      data: { content: seedContent() },
    });
    const again = await sys.post('/v1/drafts', reporter, {
      commandId,
      data: { content: seedContent() },
    });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
  });

  it('a bad body gets 400 problem+json naming every failing field path', async () => {
    const id = randomUUID();
    const content = seedContent();
    const reply = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: {
        content: {
          ...content,
          headline: '   ',
          language: 'not a tag!',
          blocks: [content.blocks[0], { kind: 'paragraph', text: 42 }, { kind: 'video', url: 'x' }],
        },
      },
    });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(reply.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'data.content.blocks.1.text',
      'data.content.blocks.2.kind',
      'data.content.headline',
      'data.content.language',
    ]);
    expect(await streamLength(id)).toBe(0);
  });

  it('text with a lone surrogate is refused, never stored', async () => {
    const id = randomUUID();
    const reply = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: { content: { ...seedContent(), headline: 'Hải Phòng \ud800' } },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.errors[0].path).toBe('data.content.headline');
    expect(await streamLength(id)).toBe(0);
  });

  it('decomposed (NFD) input is stored as NFC', async () => {
    const id = randomUUID();
    const nfd = 'Hải Phòng phải đi đầu'.normalize('NFD');
    const reply = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: { content: { ...seedContent(), headline: nfd } },
    });
    expect(reply.status).toBe(201);
    const [event] = await sys.store.readStream(`article-${id}`);
    const stored = (event?.data as { content: { headline: string } }).content.headline;
    expect(Buffer.from(stored)).toEqual(Buffer.from('Hải Phòng phải đi đầu'.normalize('NFC')));
  });

  it('a body over the size limit gets 413; malformed JSON 400; a non-JSON body 415', async () => {
    const token = await sys.token('reporter', 'r');
    const huge = JSON.stringify({
      data: { content: { ...seedContent(), summary: 'x'.repeat(2_000_000) } },
    });
    expect((await sys.request('POST', '/v1/drafts', { token, body: huge })).status).toBe(413);
    const malformed = await sys.request('POST', '/v1/drafts', { token, body: '{"data": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await sys.request('POST', '/v1/drafts', {
      token,
      body: 'hello',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
  });

  it('wrong state is 409, no change 422, a schedule in the past 422, unknown route 404', async () => {
    const id = await create();
    const approve = await sys.post(`/v1/reviews/${id}/approve`, editor, {});
    expect(approve.status).toBe(409);
    expect(approve.body.rejection).toMatchObject({ _tag: 'ArticleNotInReview', state: 'Draft' });
    const same = await sys.post(`/v1/drafts/${id}/revise`, reporter, {
      data: { content: seedContent() },
    });
    expect(same.status).toBe(422);
    expect(same.body.rejection._tag).toBe('NoChange');
    await sys.post(`/v1/drafts/${id}/submit`, reporter, {});
    await sys.post(`/v1/reviews/${id}/approve`, editor, {});
    const past = await sys.post(`/v1/publications/${id}/publish`, publisher, {
      data: { mode: 'scheduled', at: '2019-04-08T20:59:00+07:00' },
    });
    expect(past.status).toBe(422);
    expect(past.body.rejection._tag).toBe('ScheduleNotInFuture');
    expect((await sys.post(`/v1/drafts/${id}/nonsense`, reporter, {})).status).toBe(404);
    expect((await sys.post(`/v1/drafts/not-a-uuid/submit`, reporter, {})).status).toBe(404);
  });

  it('a reporter may not revise a text under review (an editor may)', async () => {
    const id = await create();
    await sys.post(`/v1/drafts/${id}/submit`, reporter, {});
    const reply = await sys.post(`/v1/drafts/${id}/revise`, reporter, {
      data: { content: { ...seedContent(), summary: 'Sửa.' } },
    });
    expect(reply.status).toBe(403);
    expect(reply.body.rejection).toMatchObject({
      _tag: 'RoleNotAllowed',
      role: 'reporter',
      state: 'InReview',
    });
  });

  it('GET returns the article with its ETag, at a revision and at an instant; 404 before it existed', async () => {
    const before = new Date(Date.now() - 60_000).toISOString();
    const id = await create();
    await sys.post(`/v1/drafts/${id}/submit`, reporter, {});
    const now = await sys.get(`/v1/drafts/${id}`, reporter);
    expect(now.status).toBe(200);
    expect(now.headers.get('etag')).toBe('"1"');
    expect(now.body.status).toBe('InReview');
    const then = await sys.get(`/v1/drafts/${id}?revision=0`, reporter);
    expect(then.body.status).toBe('Draft');
    expect(
      (await sys.get(`/v1/drafts/${id}?at=${encodeURIComponent(before)}`, reporter)).status,
    ).toBe(404);
    expect((await sys.get(`/v1/drafts/${id}?revision=abc`, reporter)).status).toBe(400);
    expect((await sys.get(`/v1/drafts/${randomUUID()}`, reporter)).status).toBe(404);
  });

  it('no hostile input produces a 5xx', async () => {
    const id = await create();
    const token = await sys.token('editor', 'fuzz');
    const bodies = [
      'null',
      '[]',
      '"string"',
      '42',
      'true',
      '{}',
      '{"data":null}',
      '{"data":[]}',
      '{"commandId":"not-a-uuid"}',
      '{"data":{"content":{}}}',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      JSON.stringify({ data: { comments: [{ text: '\u0000' }] } }),
      JSON.stringify({ data: { content: { ...seedContent(), blocks: [] } } }),
      JSON.stringify({ data: { mode: 'scheduled', at: '2026-02-30T10:00:00Z' } }),
    ];
    const paths = [
      '/v1/drafts',
      `/v1/drafts/${id}/revise`,
      `/v1/reviews/${id}/request-changes`,
      `/v1/publications/${id}/publish`,
      `/v1/reviews/${id}/reject`,
    ];
    for (const path of paths) {
      for (const body of bodies) {
        const reply = await sys.request('POST', path, { token, body });
        expect(reply.status, `${path} ${body}: ${reply.text}`).toBeGreaterThanOrEqual(400);
        expect(reply.status, `${path} ${body}: ${reply.text}`).toBeLessThan(500);
      }
    }
  });

  it('answers a command minimally, and with the article on Prefer: return=representation', async () => {
    const id = randomUUID();
    const token = await sys.token('reporter', 'reporter.p');
    const body = JSON.stringify({ articleId: id, data: { content: seedContent() } });
    const minimal = await sys.request('POST', '/v1/drafts', {
      token,
      body,
      headers: { prefer: 'return=minimal' },
    });
    expect(minimal.status).toBe(201);
    expect(minimal.body).toEqual({
      articleId: id,
      revision: 0,
      status: 'Draft',
      events: ['DraftCreated.v1'],
      replayed: false,
    });
    const full = await sys.post(
      `/v1/drafts/${id}/submit`,
      { role: 'reporter', sub: 'reporter.p' },
      {},
    );
    expect(full.headers.get('preference-applied')).toBe('return=representation');
    expect(full.body.article).toMatchObject({ status: 'InReview', articleId: id });
  });

  it('no hostile query, If-Match or path id produces a 5xx; ids are the same article in either case', async () => {
    const id = await create();
    const queries = [
      'at=0000-01-01T00:00:00Z',
      'at=%2B275760-09-13T00:00:00Z',
      'at=1',
      'at=',
      'at=2019-02-30T00:00:00Z',
      'revision=-1',
      'revision=99999999999999999999',
      'revision=1e3',
      'revision=',
      'at=a&at=b',
    ];
    for (const q of queries) {
      const reply = await sys.get(`/v1/drafts/${id}?${q}`, reporter);
      expect(reply.status, `${q}: ${reply.text}`).toBe(400);
    }
    const ifMatches = ['"-1"', 'W/"0"', '*', '"0", "1"', '"99999999999999999999"', '"abc"'];
    for (const ifMatch of ifMatches) {
      const reply = await sys.post(
        `/v1/drafts/${id}/withdraw`,
        reporter,
        {},
        { 'if-match': ifMatch },
      );
      expect(reply.status, `${ifMatch}: ${reply.text}`).toBeGreaterThanOrEqual(400);
      expect(reply.status, `${ifMatch}: ${reply.text}`).toBeLessThan(500);
    }
    const upper = id.toUpperCase();
    expect((await sys.get(`/v1/drafts/${upper}`, reporter)).body.articleId).toBe(id);
    const submitted = await sys.post(`/v1/drafts/${upper}/submit`, reporter, {});
    expect(submitted.status).toBe(200);
    expect(await streamLength(id)).toBe(2);
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    // One command of each outcome that /metrics counts here.
    const id = randomUUID();
    const created = await sys.post('/v1/drafts', reporter, {
      articleId: id,
      data: { content: seedContent() },
    });
    expect(created.status).toBe(201);
    expect((await sys.post('/v1/drafts', reporter, { data: {} })).status).toBe(400);
    expect((await sys.post(`/v1/reviews/${id}/approve`, editor, {})).status).toBe(409);
    expect((await sys.request('GET', '/healthz')).status).toBe(200);
    const ready = await sys.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual([
      { name: 'event-store', ok: true },
      { name: 'event-store-seal', ok: true },
      { name: 'processor:review.queue', ok: true },
      { name: 'processor:publishing.scheduler', ok: true },
      { name: 'processor:syndication.public-articles', ok: true },
      { name: 'processor:syndication.webhooks', ok: true },
      { name: 'processor:audit.tree', ok: true },
      { name: 'processor:audit.articles', ok: true },
      { name: 'audit-seal', ok: true },
    ]);
    const metrics = await sys.request('GET', '/metrics');
    expect(metrics.text).toMatch(/http_requests_total\{method="POST",route="\/v1\/drafts\/"/);
    // The scheduler runs on the processor runtime: the one active instance, and its lag.
    expect(metrics.text).toMatch(/^processor_active\{processor="publishing.scheduler"\} 1$/m);
    expect(metrics.text).toMatch(/^processor_lag_events\{processor="publishing.scheduler"\} \d+$/m);
    // Group commit: this process's appends, and the transactions they took (never more).
    const count = (name: string) =>
      Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(metrics.text)?.[1] ?? Number.NaN);
    expect(count('event_store_appends_total')).toBeGreaterThan(0);
    expect(count('event_store_append_transactions_total')).toBeGreaterThan(0);
    expect(count('event_store_append_transactions_total')).toBeLessThanOrEqual(
      count('event_store_appends_total'),
    );
    expect(count('event_store_largest_append_batch')).toBeGreaterThanOrEqual(1);
    // Commands by type and outcome, and each append's latency.
    const labelled = (name: string, labels: string) =>
      Number(
        new RegExp(`^${name}\\{${labels}\\} (\\d+)$`, 'm').exec(metrics.text)?.[1] ?? Number.NaN,
      );
    expect(labelled('commands_total', 'command="CreateDraft",outcome="accepted"')).toBeGreaterThan(
      0,
    );
    expect(labelled('commands_total', 'command="CreateDraft",outcome="invalid"')).toBeGreaterThan(
      0,
    );
    expect(
      labelled('commands_total', 'command="ApproveArticle",outcome="rejected"'),
    ).toBeGreaterThan(0);
    expect(labelled('event_store_append_seconds_count', 'outcome="written"')).toBeGreaterThan(0);
    expect(metrics.text).toMatch(
      /^event_store_append_seconds_bucket\{le="0\.005",outcome="written"\} \d+$/m,
    );
  });
});
