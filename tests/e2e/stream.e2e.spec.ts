/**
 * The live stream (one process, PGlite), read with the `eventsource` package: every public
 * change as it happens, the payload webhooks carry with a valid ninjs document; a client that
 * resumes from Last-Event-ID gets exactly what it missed, in order; filters; heartbeats; and
 * past its limit of clients a new one is refused with a clear 503.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { syndicationConfig } from '@newsroom/syndication';
import { readStream } from '../channels/stream.js';
import { ninjsValidator } from '../ninjs/validator.js';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.s' } as const;
const editor = { role: 'editor', sub: 'editor.s' } as const;
const publisher = { role: 'publisher', sub: 'publisher.s' } as const;

describe('the live stream', () => {
  const sys = useTestSystem('pglite', undefined, {
    syndication: syndicationConfig({ STREAM_MAX_CLIENTS: '3', STREAM_HEARTBEAT_MS: '200' }),
  });
  const validator = ninjsValidator();
  const ok = (reply: { status: number; text: string }) =>
    expect(reply.status, reply.text).toBeLessThan(300);
  const publish = async () => {
    const id = randomUUID();
    ok(await sys.post('/v1/drafts', reporter, { articleId: id, data: { content: seedContent() } }));
    ok(await sys.post(`/v1/drafts/${id}/submit`, reporter, {}));
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    ok(await sys.post(`/v1/publications/${id}/publish`, publisher, { data: { mode: 'now' } }));
    return id;
  };

  it('sends each change live, and a resumed client exactly what it missed, in order', async () => {
    const live = await readStream(`${sys.url}/v1/stream`);
    const retractions = await readStream(`${sys.url}/v1/stream?types=article.retracted`);
    try {
      const id = await publish();
      await live.until(1);
      const [first] = live.events;
      expect(first).toMatchObject({
        type: 'article.published',
        payload: { type: 'article.published' },
      });
      expect(first!.payload.data).toMatchObject({
        uri: `urn:newsroom:article:${id}`,
        pubStatus: 'usable',
      });
      expect(validator.errorsOf(first!.payload.data)).toEqual([]);
      expect(first!.payload.timestamp).toMatch(/\+07:00$/);

      // Disconnected after the first; meanwhile a correction and a retraction.
      live.close();
      const content = { ...seedContent(), headline: 'Tiêu đề đã sửa' };
      ok(
        await sys.post(`/v1/publications/${id}/corrections`, reporter, {
          data: { content, notice: 'Đính chính tiêu đề.' },
        }),
      );
      ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
      ok(await sys.post(`/v1/publications/${id}/corrections/publish`, publisher, {}));
      ok(
        await sys.post(`/v1/publications/${id}/retract`, publisher, {
          data: { reason: 'sai', notice: 'Thu hồi.' },
        }),
      );
      const other = await publish();
      await sys.caughtUp();

      const resumed = await readStream(`${sys.url}/v1/stream`, { lastEventId: first!.id });
      try {
        await resumed.until(3);
        await new Promise((r) => setTimeout(r, 300)); // nothing more may come
        expect(resumed.events.map((e) => e.type)).toEqual([
          'article.corrected',
          'article.retracted',
          'article.published',
        ]);
        expect(resumed.events.map((e) => Number(e.id))).toEqual(
          [2, 3, 4].map((n) => Number(first!.id) + n - 1),
        );
        expect(resumed.events[0]!.payload.data).toMatchObject({ version: '2' });
        expect(resumed.events[1]!.payload.data).toMatchObject({ pubStatus: 'canceled' });
        expect(resumed.events[2]!.payload.data).toMatchObject({
          uri: `urn:newsroom:article:${other}`,
        });
        for (const e of resumed.events) expect(validator.errorsOf(e.payload.data)).toEqual([]);
      } finally {
        resumed.close();
      }
      await retractions.until(1);
      expect(retractions.events.map((e) => e.type)).toEqual(['article.retracted']);
    } finally {
      live.close();
      retractions.close();
    }
  });

  it('starts a client without Last-Event-ID at the head, even after the stream sat idle', async () => {
    const before = await publish(); // no client attached: the stream is idle
    await sys.caughtUp();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fresh = await readStream(`${sys.url}/v1/stream`);
    const ahead = await readStream(`${sys.url}/v1/stream`, { lastEventId: '999999999' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await publish();
      await fresh.until(1);
      await ahead.until(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const client of [fresh, ahead]) {
        expect(client.events.map((e) => e.payload.data['uri'])).toEqual([
          `urn:newsroom:article:${after}`,
        ]);
      }
      expect(before).not.toBe(after);
    } finally {
      fresh.close();
      ahead.close();
    }
  });

  it('sends heartbeats, refuses a bad Last-Event-ID, and refuses clients past its limit', async () => {
    const controller = new AbortController();
    const response = await fetch(`${sys.url}/v1/stream`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes(': heartbeat'))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(
      (await sys.request('GET', '/v1/stream', { headers: { 'last-event-id': 'abc' } })).status,
    ).toBe(400);
    const others = [
      await readStream(`${sys.url}/v1/stream`),
      await readStream(`${sys.url}/v1/stream`),
    ];
    try {
      const refused = await sys.request('GET', '/v1/stream');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(refused.body).toMatchObject({ title: 'Too Many Stream Clients' });
    } finally {
      for (const o of others) o.close();
      controller.abort();
    }
  });
});
