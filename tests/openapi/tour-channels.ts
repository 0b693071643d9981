/**
 * The tour's second half: a webhook receiver subscribed, the commands the story sends none of
 * (each publication or withdrawal a delivery to it), the subscription's management, and every
 * read of syndication, a conditional one and the live stream among them. Returns what the
 * receiver got, for the test to hold to the subscription's callback.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { waitFor } from '@newsroom/messaging';
import { startReceiver } from '../channels/webhook-receiver.js';
import { seedContent } from '../e2e/seed-article.js';
import { approvedArticle, editor, publisher, reporter, tourCalls } from './tour.js';
import type { TourApi } from './tour.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const tourTheChannels = async (
  api: TourApi,
  section: string,
  storyArticle: string,
): Promise<string[]> => {
  const { call, expectStatus } = tourCalls(api);
  // Subscribed before the publications below, so that deliveries exist.
  const receiver = await startReceiver();
  try {
    const subscription = await expectStatus(201, 'POST', '/v1/subscriptions', {
      as: publisher,
      body: { url: receiver.url, sections: [section] },
    });
    receiver.secrets.push(subscription.body.secret);
    const subscriptionId: string = subscription.body.id;
    await expectStatus(400, 'POST', '/v1/subscriptions', { as: publisher, body: { url: 3 } });

    // The commands the story sends none of.
    const withdrawn = randomUUID();
    await expectStatus(201, 'POST', '/v1/drafts', {
      as: reporter,
      body: { articleId: withdrawn, data: { content: { ...seedContent(), section } } },
    });
    await expectStatus(200, 'POST', `/v1/drafts/${withdrawn}/submit`, { as: reporter, body: {} });
    await expectStatus(200, 'POST', `/v1/drafts/${withdrawn}/withdraw`, { as: reporter, body: {} });
    await expectStatus(200, 'POST', `/v1/drafts/${withdrawn}/discard`, {
      as: reporter,
      body: { data: { reason: 'trùng bài' } },
    });
    await expectStatus(409, 'POST', `/v1/drafts/${withdrawn}/submit`, { as: reporter, body: {} });

    const rejected = randomUUID();
    await expectStatus(201, 'POST', '/v1/drafts', {
      as: reporter,
      body: { articleId: rejected, data: { content: { ...seedContent(), section } } },
    });
    await expectStatus(200, 'POST', `/v1/drafts/${rejected}/submit`, { as: reporter, body: {} });
    await expectStatus(200, 'POST', `/v1/reviews/${rejected}/reject`, {
      as: editor,
      body: { data: { reason: 'không phù hợp' } },
    });

    const scheduled = await approvedArticle(expectStatus, section);
    await expectStatus(200, 'POST', `/v1/publications/${scheduled}/publish`, {
      as: publisher,
      body: { data: { mode: 'scheduled', at: '2099-04-08T20:59:00+07:00' } },
    });
    await expectStatus(200, 'POST', `/v1/publications/${scheduled}/cancel-schedule`, {
      as: publisher,
      body: { data: { reason: 'dời lịch' } },
    });

    const unpublished = await approvedArticle(expectStatus, section);
    await expectStatus(200, 'POST', `/v1/publications/${unpublished}/publish`, {
      as: publisher,
      body: { data: { mode: 'now' } },
    });
    await expectStatus(200, 'POST', `/v1/publications/${unpublished}/unpublish`, {
      as: publisher,
      body: { data: { reason: 'tạm gỡ' } },
    });

    const retracted = await approvedArticle(expectStatus, section);
    await expectStatus(200, 'POST', `/v1/publications/${retracted}/publish`, {
      as: publisher,
      body: { data: { mode: 'now' } },
    });
    await expectStatus(200, 'POST', `/v1/publications/${retracted}/retract`, {
      as: publisher,
      body: { data: { reason: 'sai sự thật', notice: 'Bài viết đã được gỡ bỏ.' } },
    });

    // Subscriptions: read, the deliveries the publications made, redelivery, rotation, removal.
    await expectStatus(200, 'GET', '/v1/subscriptions', { as: publisher });
    await expectStatus(200, 'GET', `/v1/subscriptions/${subscriptionId}`, { as: publisher });
    await receiver.until((r) => r.length >= 4, 30_000);
    const deliveries = await waitFor(
      async () => {
        const reply = await call('GET', `/v1/subscriptions/${subscriptionId}/deliveries`, {
          as: publisher,
        });
        const items = (reply.body?.items ?? []) as Json[];
        return items.length >= 4 && items.every((d) => d.status === 'delivered') && items;
      },
      30_000,
      { description: 'every delivery delivered', intervalMs: 50 },
    );
    // The later change of the article may go again; the earlier one would come out of order.
    const redeliver = (d: Json) =>
      `/v1/subscriptions/${subscriptionId}/deliveries/${d.id}/redeliver`;
    const later = deliveries.find((d: Json) => d.eventType === 'article.unpublished');
    const earlier = deliveries.find((d: Json) => d.eventType === 'article.published');
    await expectStatus(202, 'POST', redeliver(later), { as: publisher });
    await expectStatus(409, 'POST', redeliver(earlier), { as: publisher });
    await expectStatus(
      404,
      'POST',
      `/v1/subscriptions/${subscriptionId}/deliveries/${randomUUID()}/redeliver`,
      {
        as: publisher,
      },
    );
    await expectStatus(200, 'POST', `/v1/subscriptions/${subscriptionId}/rotate`, {
      as: publisher,
    });
    await expectStatus(403, 'GET', '/v1/subscriptions', { as: reporter });
    await expectStatus(204, 'DELETE', `/v1/subscriptions/${subscriptionId}`, { as: publisher });
    await expectStatus(404, 'GET', `/v1/subscriptions/${subscriptionId}`, { as: publisher });

    // Syndication's reads, a conditional one among them.
    await expectStatus(200, 'GET', '/v1/feeds/articles');
    await expectStatus(200, 'GET', `/v1/feeds/articles/${storyArticle}`);
    await expectStatus(400, 'GET', '/v1/feeds/articles?limit=0');
    await expectStatus(200, 'GET', '/v1/feeds/ninjs');
    await expectStatus(200, 'GET', `/v1/feeds/ninjs/${storyArticle}`);
    await expectStatus(200, 'GET', `/v1/feeds/ninjs/${storyArticle}/versions/1`);
    await expectStatus(404, 'GET', `/v1/feeds/ninjs/${storyArticle}/versions/99`);
    for (const feed of ['rss.xml', 'atom.xml', 'feed.json']) {
      const first = await expectStatus(200, 'GET', `/v1/feeds/${feed}`);
      await expectStatus(304, 'GET', `/v1/feeds/${feed}`, {
        headers: { 'if-none-match': first.headers.get('etag') ?? '' },
      });
    }
    await expectStatus(404, 'GET', `/v1/feeds/articles/${unpublished}`);
    await waitFor(
      async () => (await call('GET', `/v1/feeds/articles/${retracted}`)).status === 410,
      30_000,
      { description: 'the retraction in the read model', intervalMs: 50 },
    );
    const stop = new AbortController();
    const stream = await api.fetch(`${api.url}/v1/stream?lastEventId=0`, { signal: stop.signal });
    expect(stream.status).toBe(200);
    stop.abort();
    await expectStatus(400, 'GET', '/v1/stream?types=nonsense');
    return receiver.received.map((r) => r.body);
  } finally {
    await receiver.close();
  }
};
