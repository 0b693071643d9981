/**
 * The seed article through every channel, step by step, for a system however it is wired: it
 * is embargoed (no channel shows it before the embargo ends), released, corrected ("Đại hội
 * VIII" to "XIII", with its public notice) and retracted, and at each step the feeds (parsed by
 * rss-parser), the ninjs document (validated against IPTC's schema), a webhook receiver
 * (verifying with standardwebhooks), the live stream (read with eventsource) and the public
 * topic must all say the same.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { waitFor } from '@newsroom/messaging';
import type { Kafka } from 'kafkajs';
import { seedContent } from '../e2e/seed-article.js';
import { htmlText, parseJsonFeed, parseXmlFeed } from './feeds.js';
import { readPublicTopic } from './public-topic.js';
import { readStream } from './stream.js';
import { startReceiver } from './webhook-receiver.js';
import { ninjsValidator } from '../ninjs/validator.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ChannelApi {
  /** The base URL of the process serving `prefix` (`/v1/drafts`, `/v1/feeds`, …). */
  readonly url: (service: 'drafting' | 'review' | 'publishing' | 'syndication') => string;
  readonly token: (role: string, sub: string) => Promise<string>;
  readonly kafka: Kafka;
  readonly publicTopic: string;
}

export const runChannelStory = async (api: ChannelApi): Promise<void> => {
  const validator = ninjsValidator();
  const section = `channels ${randomUUID()}`;
  const articleId = randomUUID();
  const uri = `urn:newsroom:article:${articleId}`;
  const as = async (role: string) => `Bearer ${await api.token(role, `${role}.c`)}`;
  const post = async (
    service: Parameters<ChannelApi['url']>[0],
    path: string,
    role: string,
    body: unknown,
  ) => {
    const response = await fetch(`${api.url(service)}${path}`, {
      method: 'POST',
      headers: { authorization: await as(role), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.status, `${path}: ${text}`).toBeLessThan(300);
    return JSON.parse(text) as Json;
  };
  const syndication = api.url('syndication');
  const get = (path: string) => fetch(`${syndication}${path}`);

  // The consumers, all subscribed before anything happens.
  const receiver = await startReceiver();
  const subscription = await post('syndication', '/v1/subscriptions', 'publisher', {
    url: receiver.url,
    sections: [section],
  });
  receiver.secrets.push(subscription.secret);
  const stream = await readStream(
    `${syndication}/v1/stream?section=${encodeURIComponent(section)}`,
  );
  const topic = await readPublicTopic(api.kafka, api.publicTopic);
  const mine = () => topic.messages.filter((m) => m.key === uri);
  const hooks = () => receiver.received.map((r) => JSON.parse(r.body) as Json);

  /** Every feed's entries for the section, and the Atom tombstones. */
  const feeds = async () => {
    const q = `?section=${encodeURIComponent(section)}`;
    const [rss, atom, json] = await Promise.all(
      ['rss.xml', 'atom.xml', 'feed.json'].map((f) =>
        get(`/v1/feeds/${f}${q}`).then((r) => r.text()),
      ),
    );
    return {
      rss: await parseXmlFeed(rss!),
      atom: await parseXmlFeed(atom!),
      json: parseJsonFeed(json!),
    };
  };
  /** The feeds once `ready` holds for them (a feed is cached until its poll sees the change). */
  const feedsWhen = (
    ready: (f: Awaited<ReturnType<typeof feeds>>) => boolean,
    description: string,
  ) =>
    waitFor(
      async () => {
        const f = await feeds();
        return ready(f) && f;
      },
      10_000,
      { description: `feeds: ${description}`, intervalMs: 50 },
    );
  const ninjs = async () => {
    const r = await get(`/v1/feeds/ninjs/${articleId}`);
    return { status: r.status, body: r.status === 200 ? ((await r.json()) as Json) : undefined };
  };
  /** Every channel at once, once `done` holds for each. */
  const everyChannel = async (
    description: string,
    done: { hooks: number; stream: number; topic: number; version: string; pubStatus: string },
  ) =>
    waitFor(
      async () => {
        const doc = await ninjs();
        return (
          receiver.received.filter((r) => r.answered < 300).length >= done.hooks &&
          stream.events.length >= done.stream &&
          mine().length >= done.topic &&
          doc.body?.version === done.version &&
          doc.body?.pubStatus === done.pubStatus
        );
      },
      30_000,
      { description, intervalMs: 100 },
    );

  try {
    // 1. Embargoed until a few seconds ahead: nothing anywhere before it ends.
    const original = { ...seedContent(), section };
    await post('drafting', '/v1/drafts', 'reporter', { articleId, data: { content: original } });
    await post('drafting', `/v1/drafts/${articleId}/submit`, 'reporter', {});
    await post('review', `/v1/reviews/${articleId}/approve`, 'editor', {});
    const until = new Date(Date.now() + 4_000);
    await post('publishing', `/v1/publications/${articleId}/publish`, 'publisher', {
      data: { mode: 'embargoed', until: until.toISOString() },
    });
    const before = await feeds();
    expect([before.rss, before.atom, before.json].map((f) => f.entries.length)).toEqual([0, 0, 0]);
    expect((await ninjs()).status).toBe(404);
    expect((await get(`/v1/feeds/ninjs/${articleId}/versions/1`)).status).toBe(404);

    // 2. Released by the scheduler: every channel has version 1, none of them before the end.
    await everyChannel('the release on every channel', {
      hooks: 1,
      stream: 1,
      topic: 1,
      version: '1',
      pubStatus: 'usable',
    });
    const released = await ninjs();
    expect(validator.errorsOf(released.body)).toEqual([]);
    expect(Date.parse(released.body.embargoedUntil)).toBe(until.getTime());
    expect(Date.parse(released.body.firstCreated)).toBeGreaterThanOrEqual(until.getTime());
    expect(hooks()[0]).toMatchObject({ type: 'article.published', data: { uri, version: '1' } });
    expect(receiver.received[0]!.verifiedBy).toBe(0);
    expect(stream.events[0]).toMatchObject({
      type: 'article.published',
      payload: { data: { uri, version: '1' } },
    });
    expect(mine()[0]).toMatchObject({
      key: uri,
      headers: { 'event-type': 'article.published' },
      document: { version: '1', pubStatus: 'usable' },
    });
    for (const doc of [hooks()[0].data, stream.events[0]!.payload.data, mine()[0]!.document]) {
      expect(validator.errorsOf(doc)).toEqual([]);
      expect(Date.parse(String(doc['firstCreated']))).toBeGreaterThanOrEqual(until.getTime());
    }
    const out = await feedsWhen(
      (f) => [f.rss, f.atom, f.json].every((x) => x.entries.length === 1),
      'released',
    );
    for (const f of [out.rss, out.atom, out.json])
      expect(f.entries.map((e) => e.id)).toEqual([uri]);

    // 3. The correction: version 2 with its notice, everywhere; the feeds keep the id.
    const notice = 'Đính chính: bài viết ghi nhầm "Đại hội VIII", đúng là "Đại hội XIII" của Đảng.';
    const corrected = {
      ...original,
      blocks: original.blocks.map((b) =>
        b.kind === 'paragraph' && b.text.includes('Đại hội VIII')
          ? { ...b, text: b.text.replace('Đại hội VIII', 'Đại hội XIII') }
          : b,
      ),
    };
    await post('publishing', `/v1/publications/${articleId}/corrections`, 'reporter', {
      data: { content: corrected, notice },
    });
    await post('review', `/v1/reviews/${articleId}/approve`, 'editor', {});
    await post('publishing', `/v1/publications/${articleId}/corrections/publish`, 'publisher', {});
    await everyChannel('the correction on every channel', {
      hooks: 2,
      stream: 2,
      topic: 2,
      version: '2',
      pubStatus: 'usable',
    });
    const correction = { role: 'correction', contentType: 'text/plain', value: notice };
    expect(hooks()[1]).toMatchObject({ type: 'article.corrected', data: { uri, version: '2' } });
    expect(hooks()[1].data.descriptions).toContainEqual(correction);
    expect(stream.events[1]).toMatchObject({
      type: 'article.corrected',
      payload: { data: { version: '2' } },
    });
    expect(mine()[1]).toMatchObject({
      headers: { 'event-type': 'article.corrected' },
      document: { version: '2' },
    });
    expect((await ninjs()).body.descriptions).toContainEqual(correction);
    const fixed = await feedsWhen(
      (f) =>
        [f.rss, f.atom, f.json].every((x) => htmlText(x.entries[0]?.html ?? '').includes(notice)),
      'corrected',
    );
    for (const f of [fixed.rss, fixed.atom, fixed.json]) {
      expect(f.entries.map((e) => e.id)).toEqual([uri]);
      expect(htmlText(f.entries[0]!.html)).toContain(notice);
      expect(htmlText(f.entries[0]!.html)).toContain('Đại hội XIII');
    }

    // 4. The retraction: canceled everywhere, a tombstone in Atom, gone from RSS and JSON Feed.
    const retraction = 'Bài viết bị thu hồi theo yêu cầu của Văn phòng UBND thành phố.';
    await post('publishing', `/v1/publications/${articleId}/retract`, 'publisher', {
      data: { reason: 'thu hồi', notice: retraction },
    });
    await everyChannel('the retraction on every channel', {
      hooks: 3,
      stream: 3,
      topic: 3,
      version: '2',
      pubStatus: 'canceled',
    });
    expect(hooks()[2]).toMatchObject({
      type: 'article.retracted',
      data: { uri, pubStatus: 'canceled' },
    });
    expect(stream.events[2]).toMatchObject({
      type: 'article.retracted',
      payload: { data: { pubStatus: 'canceled' } },
    });
    expect(mine()[2]).toMatchObject({
      headers: { 'event-type': 'article.retracted' },
      document: { pubStatus: 'canceled' },
    });
    for (const doc of [
      hooks()[2].data,
      stream.events[2]!.payload.data,
      mine()[2]!.document,
      (await ninjs()).body,
    ]) {
      expect(validator.errorsOf(doc)).toEqual([]);
      expect(doc['bodies']).toBeUndefined();
    }
    const gone = await feedsWhen(
      (f) =>
        f.atom.deleted.length === 1 && f.rss.entries.length === 0 && f.json.entries.length === 0,
      'retracted',
    );
    expect([gone.rss, gone.json].map((f) => f.entries.length)).toEqual([0, 0]);
    expect(gone.atom.entries).toHaveLength(0);
    expect(gone.atom.deleted).toEqual([
      { ref: uri, when: expect.stringMatching(/\+07:00$/), comment: retraction },
    ]);
    expect((await get(`/v1/feeds/ninjs/${articleId}/versions/1`)).status).toBe(410);
    // Each channel said each thing once.
    expect(
      receiver.received.filter((r) => r.answered < 300).map((r) => JSON.parse(r.body).type),
    ).toEqual(['article.published', 'article.corrected', 'article.retracted']);
    expect(stream.events.map((e) => e.type)).toEqual([
      'article.published',
      'article.corrected',
      'article.retracted',
    ]);
    expect(new Set(mine().map((m) => m.headers['syndication-seq'])).size).toBe(3);
  } finally {
    stream.close();
    await topic.stop();
    await receiver.close();
  }
};
