/**
 * Webhook deliveries survive the syndication process: 30 publications wait for a receiver
 * that answers 503, the syndication process is killed (SIGKILL) and started again, and once the
 * receiver accepts, every delivery arrives, each acknowledged exactly once (by webhook-id); then
 * 10 more while a graceful stop (SIGTERM) cuts in on sends in flight, and none of those is
 * acknowledged twice either.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../channels/webhook-receiver.js';
import type { Receiver } from '../channels/webhook-receiver.js';
import { startTestCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { databaseUrl } from './harness.js';
import { seedContent } from './seed-article.js';

describe('webhook deliveries across a killed syndication process', () => {
  let cluster: TestCluster;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    cluster = await startTestCluster({
      databaseUrl: databaseUrl(),
      brokers: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
      instances: { audit: 0 },
      env: {
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        // Nineteen retries a second apart: time enough to outlast the kill and the restart.
        WEBHOOK_RETRY_SCHEDULE_MS: ['0', ...Array.from({ length: 19 }, () => '1000')].join(','),
        WEBHOOK_TIMEOUT_MS: '3000',
        PUBLIC_TOPIC: 'false',
      },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await receiver?.close();
  });

  it('loses none and acknowledges none twice', { timeout: 180_000 }, async () => {
    const section = `restart ${randomUUID()}`;
    const token = (role: string) => cluster.token(role, `${role}.r`).then((t) => `Bearer ${t}`);
    const post = async (
      service: 'drafting' | 'review' | 'publishing' | 'syndication',
      path: string,
      role: string,
      body: unknown,
    ) => {
      const response = await fetch(`${cluster.url(service)}${path}`, {
        method: 'POST',
        headers: { authorization: await token(role), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      expect(response.status, text).toBeLessThan(300);
      return JSON.parse(text) as { secret?: string };
    };
    /** Created, submitted, approved and published, one after another. */
    const publishAll = async (articles: readonly string[]) => {
      for (const id of articles) {
        await post('drafting', '/v1/drafts', 'reporter', {
          articleId: id,
          data: { content: { ...seedContent(), section } },
        });
        await post('drafting', `/v1/drafts/${id}/submit`, 'reporter', {});
        await post('review', `/v1/reviews/${id}/approve`, 'editor', {});
        await post('publishing', `/v1/publications/${id}/publish`, 'publisher', {
          data: { mode: 'now' },
        });
      }
    };
    receiver.otherwise = { status: 503 };
    const sub = await post('syndication', '/v1/subscriptions', 'publisher', {
      url: receiver.url,
      sections: [section],
    });
    receiver.secrets.push(sub.secret!);
    const ids = Array.from({ length: 30 }, () => randomUUID());
    await publishAll(ids);
    // Each has been tried (and refused) at least once: they are pending in the outbox.
    await receiver.until((got) => new Set(got.map((r) => r.webhookId)).size === 30, 60_000);
    await cluster.kill(cluster.instances('syndication')[0]!);
    receiver.otherwise = { status: 204 };
    await cluster.start('syndication');
    await receiver.until(
      (got) => new Set(got.filter((r) => r.answered === 204).map((r) => r.webhookId)).size === 30,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // nothing more may come
    const acknowledged = receiver.received.filter((r) => r.answered === 204);
    expect(acknowledged).toHaveLength(30);
    expect(new Set(acknowledged.map((r) => r.webhookId)).size).toBe(30);
    expect(acknowledged.every((r) => r.verifiedBy === 0)).toBe(true);
    const uris = acknowledged
      .map((r) => (JSON.parse(r.body) as { data: { uri: string } }).data.uri)
      .sort();
    expect(uris).toEqual(ids.map((id) => `urn:newsroom:article:${id}`).sort());

    // Then a graceful stop while sends are in flight (the receiver takes its time): each answer
    // is recorded before the process ends, so nothing acknowledged is sent again.
    receiver.otherwise = { status: 204, delayMs: 800 };
    const more = Array.from({ length: 10 }, () => randomUUID());
    await publishAll(more);
    await receiver.until((got) => got.filter((r) => r.answered === 204).length > 30, 30_000);
    await cluster.terminate(cluster.instances('syndication')[0]!);
    receiver.otherwise = { status: 204 };
    await cluster.start('syndication');
    await receiver.until(
      (got) => new Set(got.filter((r) => r.answered === 204).map((r) => r.webhookId)).size === 40,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const all = receiver.received.filter((r) => r.answered === 204);
    expect(all).toHaveLength(40); // each webhook-id acknowledged once, across both restarts
  });
});
