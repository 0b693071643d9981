/**
 * Services as separate OS processes that talk only through the store and Kafka: drafting
 * (commands), the relay (the store's log onto the topic), and review with TRANSPORT=kafka (its
 * queue fed by its own consumer group). A submission made through drafting reaches review's
 * queue over the broker; review killed with SIGKILL and started again catches up from its
 * group's offsets, every entry once.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, createTopic, kafkaFromEnv, waitFor } from '@newsroom/messaging';
import { signToken, startServiceProcess } from '../support.js';
import type { ServiceProcess } from '../support.js';
import { seedContent } from './seed-article.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('drafting, relay and review as processes over Kafka', () => {
  const schema = `e2e_${randomUUID().replace(/-/g, '')}`;
  const topic = `e2e.processes.${randomUUID()}`;
  const secret = randomUUID() + randomUUID();
  const env = {
    DATABASE_URL,
    EVENT_STORE_SCHEMA: schema,
    SCHEMA_PREFIX: schema,
    JWT_SECRET: secret,
    KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092',
    ARTICLE_EVENTS_TOPIC: topic,
    STANDBY_POLL_MS: '250',
  };
  const running: ServiceProcess[] = [];
  let drafting: ServiceProcess;
  let review: ServiceProcess;
  const start = async (entry: string, extra: Record<string, string> = {}) => {
    const process = await startServiceProcess(entry, { ...env, ...extra });
    running.push(process);
    return process;
  };
  const token = (role: string, sub: string) => signToken(secret, role, sub);
  const call = async (url: string, role: string, body?: unknown) => {
    const response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${await token(role, `${role}.p`)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const submit = async () => {
    const id = randomUUID();
    const created = await call(`${drafting.url}/v1/drafts`, 'reporter', {
      articleId: id,
      data: { content: { ...seedContent(), section: schema } },
    });
    expect(created.status).toBe(201);
    expect((await call(`${drafting.url}/v1/drafts/${id}/submit`, 'reporter', {})).status).toBe(200);
    return id;
  };
  /** The queue's article ids once it holds `count` entries (waiting on the condition). */
  const queueOf = (count: number): Promise<string[]> =>
    waitFor(
      async () => {
        const reply = await call(`${review.url}/v1/reviews?section=${schema}&limit=100`, 'editor');
        const items = reply.status === 200 ? (reply.body['items'] as { articleId: string }[]) : [];
        return items.length >= count && items.map((i) => i.articleId);
      },
      60_000,
      { description: `${count} entries in the review queue`, intervalMs: 100 },
    );

  beforeAll(async () => {
    const admin = await connectAdmin(kafkaFromEnv({ clientId: 'processes-e2e' }));
    await createTopic(admin, topic, 3);
    await admin.disconnect();
    drafting = await start('services/drafting/src/main.ts');
    await start('services/relay/src/main.ts');
    review = await start('services/review/src/main.ts', { TRANSPORT: 'kafka' });
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    for (const s of [schema, `${schema}_relay`, `${schema}_review`]) {
      await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    }
    await client.end();
  });

  it('a submission reaches the review queue over the broker; a killed review catches up', async () => {
    const first = [await submit(), await submit(), await submit()];
    expect((await queueOf(3)).sort()).toEqual([...first].sort());

    await review.kill();
    const later = [await submit(), await submit()];
    review = await start('services/review/src/main.ts', { TRANSPORT: 'kafka' });
    const all = await queueOf(5);
    expect(all.sort()).toEqual([...first, ...later].sort());
    expect(new Set(all).size).toBe(5);
    const metrics = await fetch(`${review.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^processor_active\{processor="review.queue"\} 1$/m);
    // Fed by the topic: its consumer group, not the store's log (that is the relay's).
    expect(metrics).toMatch(
      /^processor_events_total\{processor="review.queue",outcome="applied"\} \d+$/m,
    );
  });
});
