/**
 * W3C trace context through the system: a command's `traceparent` is continued (the caller's
 * trace id and flags, a span id of the service's own) into its events' metadata, where the
 * audit history shows it, and into the Kafka headers of the message the relay makes of each
 * event. One that is not valid is ignored, as the spec says, and the command goes through.
 */
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { syndicationConfig } from '@newsroom/syndication';
import { startReceiver } from '../channels/webhook-receiver.js';
import type { Receiver } from '../channels/webhook-receiver.js';
import {
  ArticleEventHeaders,
  articleEventMessage,
  ArticleEvent,
  EventMetadata,
} from '@newsroom/contracts';
import { articleEventRecord } from '@newsroom/messaging';
import { useTestSystem } from './harness.js';
import { seedContent } from './seed-article.js';

const reporter = { role: 'reporter', sub: 'reporter.trace' } as const;
const auditor = { role: 'auditor', sub: 'auditor.trace' } as const;
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const incoming = `00-${traceId}-00f067aa0ba902b7-01`;

const editor = { role: 'editor', sub: 'editor.trace' } as const;
const publisher = { role: 'publisher', sub: 'publisher.trace' } as const;

describe('trace context', () => {
  const sys = useTestSystem('pglite', undefined, {
    syndication: syndicationConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }),
  });
  let receiver: Receiver | undefined;
  afterAll(async () => {
    await receiver?.close();
  });

  it('goes from the HTTP command into the event metadata and the Kafka headers', async () => {
    const id = randomUUID();
    const created = await sys.post(
      '/v1/drafts',
      reporter,
      { articleId: id, data: { content: seedContent() } },
      { traceparent: incoming },
    );
    expect(created.status).toBe(201);
    const submitted = await sys.post(
      `/v1/drafts/${id}/submit`,
      reporter,
      {},
      {
        traceparent: 'not-a-trace',
      },
    );
    expect(submitted.status).toBe(200);

    const history = await sys.get(`/v1/audit/articles/${id}/history`, auditor);
    const [first, second] = history.body.events;
    const trace: string = first.metadata.traceparent;
    expect(trace).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(trace.split('-')[2]).not.toBe('00f067aa0ba902b7'); // the service's own span
    expect(second.metadata).not.toHaveProperty('traceparent');

    // The relay's message for that event, made from what the store holds.
    const [stored] = await sys.store.readStream(`article-${id}`);
    const event = ArticleEvent.decode({ type: stored!.type, data: stored!.data });
    const metadata = EventMetadata.decode(stored!.metadata);
    if (E.isLeft(event) || E.isLeft(metadata)) throw new Error('the stored event does not decode');
    const record = articleEventRecord(
      articleEventMessage(stored!, id, { event: event.right, metadata: metadata.right }),
    );
    expect(record.headers).toMatchObject({ traceparent: trace, 'event-id': stored!.id });
    expect(E.isRight(ArticleEventHeaders.decode(record.headers))).toBe(true);
  });

  it('comes back out on the webhook delivery of a publication, continued by the sender', async () => {
    receiver = await startReceiver();
    const section = `trace ${randomUUID()}`;
    const subscribed = await sys.post('/v1/subscriptions', publisher, {
      url: receiver.url,
      sections: [section],
    });
    expect(subscribed.status, subscribed.text).toBe(201);
    receiver.secrets.push(subscribed.body.secret);
    const id = randomUUID();
    const content = { ...seedContent(), section };
    const ok = (reply: { status: number; text: string }) =>
      expect(reply.status, reply.text).toBeLessThan(300);
    ok(await sys.post('/v1/drafts', reporter, { articleId: id, data: { content } }));
    ok(await sys.post(`/v1/drafts/${id}/submit`, reporter, {}));
    ok(await sys.post(`/v1/reviews/${id}/approve`, editor, {}));
    const publishTrace = `00-${'a1'.repeat(16)}-${'b2'.repeat(8)}-01`;
    ok(
      await sys.post(
        `/v1/publications/${id}/publish`,
        publisher,
        { data: { mode: 'now' } },
        { traceparent: publishTrace },
      ),
    );
    await receiver.until((r) => r.length >= 1);
    const [delivery] = receiver.received;
    expect(delivery!.verifiedBy).toBe(0);
    // The publication's trace, under a span of the sender's: not the caller's, not the event's.
    const stored = await sys.store.readStream(`article-${id}`);
    const published = stored.find((e) => e.type === 'ArticlePublished.v1')!;
    const eventTrace = (published.metadata as { traceparent: string }).traceparent;
    expect(eventTrace.split('-')[1]).toBe('a1'.repeat(16));
    expect(delivery!.traceparent).toMatch(new RegExp(`^00-${'a1'.repeat(16)}-[0-9a-f]{16}-01$`));
    expect(delivery!.traceparent!.split('-')[2]).not.toBe(eventTrace.split('-')[2]);
    expect(delivery!.traceparent!.split('-')[2]).not.toBe('b2'.repeat(8));
  });
});
