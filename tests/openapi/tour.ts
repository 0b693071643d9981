/**
 * After the seed story: a call to every endpoint the story does not reach, and the refusals
 * any client meets (a bad body, no token, the wrong role, a stale revision, an unknown
 * article), so that each operation of the API reference is answered for real at least once.
 * Requests go through the caller's fetch (the test records them); each step checks only that
 * it got the status it asked for, the reference check is the test's.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { waitFor } from '@newsroom/messaging';
import { startReceiver } from '../channels/webhook-receiver.js';
import { seedContent } from '../e2e/seed-article.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface TourApi {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly token: (role: string, sub: string) => Promise<string>;
}

interface As {
  readonly role: string;
  readonly sub: string;
}

const reporter: As = { role: 'reporter', sub: 'tour.reporter' };
const editor: As = { role: 'editor', sub: 'tour.editor' };
const publisher: As = { role: 'publisher', sub: 'tour.publisher' };
export const tourAuditor: As = { role: 'auditor', sub: 'tour.auditor' };

export const tourCalls = (api: TourApi) => {
  const call = async (
    method: string,
    path: string,
    options: { as?: As; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
  ) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as !== undefined)
      headers['authorization'] = `Bearer ${await api.token(options.as.role, options.as.sub)}`;
    const body =
      options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await api.fetch(`${api.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let json: Json = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: json };
  };
  /** `call`, expecting `status`. */
  const expectStatus = async (
    status: number,
    method: string,
    path: string,
    options: Parameters<typeof call>[2] = {},
  ) => {
    const reply = await call(method, path, options);
    expect(reply.status, `${method} ${path}: ${reply.text.slice(0, 300)}`).toBe(status);
    return reply;
  };
  return { call, expectStatus };
};

/** An article taken through its story up to approval (and publication when `publish`). */
const approvedArticle = async (
  expectStatus: ReturnType<typeof tourCalls>['expectStatus'],
  section: string,
) => {
  const id = randomUUID();
  const content = { ...seedContent(), section };
  await expectStatus(201, 'POST', '/v1/drafts', {
    as: reporter,
    body: { articleId: id, data: { content } },
  });
  await expectStatus(200, 'POST', `/v1/drafts/${id}/submit`, { as: reporter, body: {} });
  await expectStatus(200, 'POST', `/v1/reviews/${id}/approve`, { as: editor, body: {} });
  return id;
};

/** The commands, reads and refusals the story does not reach; returns the webhook
 *  deliveries its receiver got (their bodies), for the test to hold to the document too. */
export const tourTheNewsroom = async (api: TourApi, storyArticle: string): Promise<string[]> => {
  const { call, expectStatus } = tourCalls(api);
  const section = `tour ${randomUUID().slice(0, 8)}`;

  // The process's own endpoints and the reference itself.
  await expectStatus(200, 'GET', '/');
  await expectStatus(200, 'GET', '/healthz');
  await expectStatus(200, 'GET', '/readyz');
  await expectStatus(200, 'GET', '/metrics');
  await expectStatus(200, 'GET', '/openapi.json');
  await expectStatus(200, 'GET', '/docs');
  await expectStatus(200, 'GET', '/docs/start.js');
  await expectStatus(200, 'GET', '/docs/assets/swagger-ui.css');
  await expectStatus(404, 'GET', '/docs/assets/no-such-file.js');
  await expectStatus(404, 'GET', '/docs/assets/index.html'); // swagger-ui-dist's demo page

  // Refusals: a body the codec refuses, no token, the wrong role, a stale revision, no article.
  await expectStatus(400, 'POST', '/v1/drafts', { as: reporter, body: { data: { content: {} } } });
  await expectStatus(400, 'POST', '/v1/drafts', { as: reporter, raw: '{"data": ' });
  await expectStatus(415, 'POST', '/v1/drafts', {
    as: reporter,
    raw: 'headline',
    headers: { 'content-type': 'text/plain' },
  });
  await expectStatus(401, 'POST', '/v1/drafts', { body: { data: { content: seedContent() } } });
  await expectStatus(403, 'POST', '/v1/drafts', {
    as: { role: 'auditor', sub: 'tour.nosy' },
    body: { data: { content: seedContent() } },
  });
  await expectStatus(412, 'POST', `/v1/drafts/${storyArticle}/revise`, {
    as: reporter,
    body: { data: { content: seedContent() } },
    headers: { 'if-match': '"1"' },
  });
  await expectStatus(404, 'GET', `/v1/drafts/${randomUUID()}`, { as: reporter });
  await expectStatus(404, 'GET', '/v1/drafts/not-an-id', { as: reporter });
  await expectStatus(404, 'GET', '/v1/no-such-route');

  // Each service's view of an article, now and as of a revision.
  await expectStatus(200, 'GET', `/v1/drafts/${storyArticle}`, { as: reporter });
  await expectStatus(200, 'GET', `/v1/reviews/${storyArticle}?revision=2`, { as: editor });
  await expectStatus(200, 'GET', `/v1/publications/${storyArticle}?at=2099-01-01T00:00:00Z`, {
    as: publisher,
  });
  await expectStatus(400, 'GET', `/v1/publications/${storyArticle}?revision=x`, { as: publisher });
  await expectStatus(200, 'GET', `/v1/reviews?section=${encodeURIComponent(section)}`, {
    as: editor,
  });
  await expectStatus(400, 'GET', '/v1/reviews?limit=1000', { as: editor });

  // A webhook receiver subscribed before the publications below, so that deliveries exist.
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
