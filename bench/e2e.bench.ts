/**
 * Publications at a steady rate through the whole system, measured from the outside: the time
 * from the publish command's HTTP response to the syndication read model showing the article.
 *
 * - kafka: the processes as separate OS processes (drafting, review, publishing, syndication,
 *   relay) over the broker at KAFKA_BROKERS, on PostgreSQL at DATABASE_URL; a reader of the
 *   article-events topic here splits the time into "on the topic" (store, relay, broker) and
 *   "in the read model" (the syndication consumer's fetch and apply);
 * - embedded: `npm start`'s process (every service, the store's own subscription) on the same
 *   PostgreSQL, so only the transport differs.
 *
 * RATE publications/s (default 50) for SECONDS (default 30), each of an article created,
 * submitted and approved beforehand; MODE=kafka|embedded|both (default both). The read model is
 * watched by polling its table every 2 ms for the articles published and not yet seen.
 * Prints one JSON document.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { kafkaFromEnv } from '../packages/messaging/src/index.js';
import { dropSystemSchemas, signToken, startServiceProcess } from '../tests/support.js';
import { startTestCluster } from '../tests/e2e/cluster.js';
import { seedContent } from '../tests/e2e/seed-article.js';
import { readTopic } from '../tests/topic-reader.js';
import type { TopicReader } from '../tests/topic-reader.js';
import { percentile, round } from './timing.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const RATE = Number(process.env.RATE ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 30);
const MODE = process.env.MODE ?? 'both';

type Service = 'drafting' | 'review' | 'publishing';

interface System {
  readonly url: (service: Service) => string;
  readonly token: (role: string, sub: string) => Promise<string>;
  /** The schema of the syndication read model. */
  readonly readModel: string;
}

const stats = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 0.5), 2),
    p99: round(percentile(sorted, 0.99), 2),
    max: round(sorted[sorted.length - 1] ?? NaN, 2),
  };
};

const post = async (url: string, token: string, body: unknown) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${text}`);
};

/** `count` articles created, submitted and approved, 8 at a time. */
const prepare = async (system: System, count: number): Promise<string[]> => {
  const [reporter, editor] = await Promise.all([
    system.token('reporter', 'bench.reporter'),
    system.token('editor', 'bench.editor'),
  ]);
  const ids = Array.from({ length: count }, () => randomUUID());
  const content = { ...seedContent(), section: 'bench' };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        const id = ids[i]!;
        await post(`${system.url('drafting')}/v1/drafts`, reporter, {
          articleId: id,
          data: { content },
        });
        await post(`${system.url('drafting')}/v1/drafts/${id}/submit`, reporter, {});
        await post(`${system.url('review')}/v1/reviews/${id}/approve`, editor, {});
      }
    }),
  );
  return ids;
};

/** Publishes `ids` at RATE, on a schedule that does not drift; watches the read model. */
const drive = async (system: System, ids: readonly string[], pool: pg.Pool) => {
  const publisher = await system.token('publisher', 'bench.publisher');
  const sent = new Map<string, number>();
  const answered = new Map<string, number>();
  const seen = new Map<string, number>();
  const pending = new Set<string>();
  let driving = true;
  const watcher = (async () => {
    while (driving || pending.size > 0) {
      if (pending.size > 0) {
        const { rows } = await pool.query<{ id: string }>(
          `SELECT article_id::text AS id FROM "${system.readModel}".public_articles
            WHERE article_id = ANY($1::uuid[]) AND status = 'published'`,
          [[...pending]],
        );
        const now = performance.now();
        for (const { id } of rows) {
          seen.set(id, now);
          pending.delete(id);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  const t0 = performance.now();
  const publications: Promise<void>[] = [];
  for (const [n, id] of ids.entries()) {
    const wait = t0 + (n * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.set(id, performance.now());
    pending.add(id);
    publications.push(
      post(`${system.url('publishing')}/v1/publications/${id}/publish`, publisher, {
        data: { mode: 'now' },
      }).then(() => void answered.set(id, performance.now())),
    );
  }
  await Promise.all(publications);
  const sendSeconds = (performance.now() - t0) / 1000;
  const deadline = performance.now() + 60_000;
  while (pending.size > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  driving = false;
  pending.clear();
  await watcher;
  return { sent, answered, seen, sendSeconds };
};

const report = (
  ids: readonly string[],
  run: Awaited<ReturnType<typeof drive>>,
  reader?: TopicReader,
  relaySendMeanMs?: number,
) => {
  const onTopic = new Map<string, number>();
  for (const r of reader?.received ?? []) {
    if (r.message.event.type === 'ArticlePublished.v1') onTopic.set(r.message.articleId, r.at);
  }
  const of = (from: Map<string, number>, to: Map<string, number>) =>
    ids.flatMap((id) => {
      const [a, b] = [from.get(id), to.get(id)];
      return a === undefined || b === undefined ? [] : [b - a];
    });
  const firstSent = Math.min(...run.sent.values());
  const lastSeen = Math.max(...run.seen.values());
  return {
    publications: ids.length,
    targetRate: RATE,
    offeredRate: round(ids.length / run.sendSeconds, 1),
    // What the read model kept up with: publications seen over first send to last seen.
    readModelRate: round(run.seen.size / ((lastSeen - firstSent) / 1000), 1),
    visible: run.seen.size,
    responseToReadModelMs: stats(of(run.answered, run.seen)),
    requestToReadModelMs: stats(of(run.sent, run.seen)),
    commandHttpMs: stats(of(run.sent, run.answered)),
    ...(reader === undefined
      ? {}
      : {
          // Store commit, the relay's poll and send, the broker: until a consumer has it.
          responseToTopicMs: stats(of(run.answered, onTopic)),
          // Of that, the relay's send to the broker (acks included), mean per batch.
          relaySendMeanMs,
          // The syndication consumer: its fetch, decode, apply and commit.
          topicToReadModelMs: stats(of(onTopic, run.seen)),
        }),
  };
};

const overKafka = async (pool: pg.Pool) => {
  const cluster = await startTestCluster({
    databaseUrl: DATABASE_URL,
    brokers: BROKERS,
    instances: { audit: 0 },
  });
  const reader = await readTopic(
    kafkaFromEnv({ clientId: 'bench-e2e', logLevel: 'nothing' }),
    cluster.topic,
  );
  try {
    const system: System = {
      url: cluster.url,
      token: cluster.token,
      readModel: `${cluster.schema}_syndication`,
    };
    const ids = await prepare(system, RATE * SECONDS);
    const run = await drive(system, ids, pool);
    const metrics = await fetch(`${cluster.url('relay')}/metrics`).then((r) => r.text());
    const sum = Number(/^relay_send_seconds_sum(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
    const count = Number(/^relay_send_seconds_count(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
    return report(ids, run, reader, count > 0 ? round((sum / count) * 1000, 2) : undefined);
  } finally {
    await reader.stop();
    await cluster.stop();
  }
};

const embedded = async (pool: pg.Pool) => {
  const schema = `bench_${randomUUID().replace(/-/g, '')}`;
  const secret = randomUUID() + randomUUID();
  const process_ = await startServiceProcess('services/platform/src/main.ts', {
    DATABASE_URL,
    EVENT_STORE_SCHEMA: schema,
    SCHEMA_PREFIX: schema,
    JWT_SECRET: secret,
    TRANSPORT: 'embedded',
  });
  try {
    const system: System = {
      url: () => process_.url,
      token: (role, sub) => signToken(secret, role, sub),
      readModel: `${schema}_syndication`,
    };
    const ids = await prepare(system, RATE * SECONDS);
    return report(ids, await drive(system, ids, pool));
  } finally {
    await process_.stop();
    await dropSystemSchemas(DATABASE_URL, schema);
  }
};

const main = async () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  try {
    const kafka = MODE === 'embedded' ? undefined : await overKafka(pool);
    const inProcess = MODE === 'kafka' ? undefined : await embedded(pool);
    console.log(
      JSON.stringify(
        {
          benchmark: 'e2e',
          machine: { cpus: os.cpus().length, node: process.version },
          goal: 'p99 from the publish response to the read model under 100 ms over Kafka at 50/s',
          kafka,
          embedded: inProcess,
        },
        null,
        2,
      ),
    );
  } finally {
    await pool.end();
  }
};

await main();
