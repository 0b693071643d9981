/**
 * The relay, from the store onto the topic, on real PostgreSQL (DATABASE_URL) and the broker
 * at KAFKA_BROKERS (start one with `bash infra/kafka/start.sh`). The relay runs as its own
 * process (services/relay), as in production; the writer and the reader run here.
 *
 * - throughput: BACKLOG events (default 20,000) are in the store before the relay starts;
 *   events/s is that count over the time until the reader has them all on the topic;
 * - latency at a steady RATE (default 200 events/s) for SECONDS (default 20): for each event,
 *   from its append being acknowledged by the store to its message being consumed; p50, p99.
 *
 * Prints one JSON document.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPostgresEventStore, pgDriver } from '../packages/event-store/src/index.js';
import { connectAdmin, createTopic, kafkaFromEnv } from '../packages/messaging/src/index.js';
import { storedArticleEvent } from '../packages/processing/src/index.js';
import { startServiceProcess } from '../tests/support.js';
import { readTopic } from '../tests/topic-reader.js';
import { percentile, round } from './timing.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const BACKLOG = Number(process.env.BACKLOG ?? 20_000);
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 20);
const ARTICLES = 200;

const main = async () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
  const schema = `bench_relay_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const store = await createPostgresEventStore({ driver: pgDriver(pool), schema });
  const kafka = kafkaFromEnv({ clientId: 'bench-relay', logLevel: 'nothing' });
  const topic = `bench.relay.${randomUUID()}`;
  const admin = await connectAdmin(kafka);
  await createTopic(admin, topic, 3);
  const articles = Array.from({ length: ARTICLES }, () => randomUUID());
  let relay: Awaited<ReturnType<typeof startServiceProcess>> | undefined;
  const reader = await readTopic(kafka, topic);
  try {
    // 1. The backlog, appended 10 events at a time before the relay runs.
    for (let i = 0; i < BACKLOG; i += 10) {
      const articleId = articles[(i / 10) % ARTICLES]!;
      await store.appendToStream(
        `article-${articleId}`,
        Array.from({ length: 10 }, (_, k) => storedArticleEvent(articleId, i + k)),
      );
    }
    const started = performance.now();
    relay = await startServiceProcess(
      'services/relay/src/main.ts',
      {
        DATABASE_URL,
        EVENT_STORE_SCHEMA: schema,
        SCHEMA_PREFIX: schema,
        KAFKA_BROKERS: BROKERS,
        ARTICLE_EVENTS_TOPIC: topic,
        KAFKA_LOG_LEVEL: 'nothing',
      },
      { waitReady: false },
    );
    await reader.until(BACKLOG, 300_000);
    const backlogSeconds = (performance.now() - started) / 1000;
    const arrivals = reader.received.slice(0, BACKLOG).map((r) => r.at);
    const publishingSeconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;

    // 2. Steady writes: one append every 1000/RATE ms, on a schedule that does not drift.
    const appendedAt = new Map<string, number>();
    const total = RATE * SECONDS;
    const t0 = performance.now();
    const writes: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = t0 + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const articleId = articles[n % ARTICLES]!;
      const event = storedArticleEvent(articleId, n);
      writes.push(
        store.appendToStream(`article-${articleId}`, [event]).then(() => {
          appendedAt.set(event.id, performance.now());
        }),
      );
    }
    await Promise.all(writes);
    const writeSeconds = (performance.now() - t0) / 1000;
    await reader.until(BACKLOG + total, 120_000);
    const latencies = reader.received
      .slice(BACKLOG)
      .map((r) => r.at - (appendedAt.get(r.message.eventId) ?? NaN))
      .filter((ms) => Number.isFinite(ms))
      .sort((a, b) => a - b);
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    const batches = /^processor_batches_total\{processor="relay"\} (\d+)/m.exec(metrics)?.[1];
    console.log(
      JSON.stringify(
        {
          benchmark: 'relay',
          machine: { cpus: os.cpus().length, node: process.version },
          throughput: {
            events: BACKLOG,
            seconds: round(backlogSeconds, 2),
            eventsPerSecond: Math.round(BACKLOG / backlogSeconds),
            note: 'from the relay process starting (its start-up included) to the reader holding every event',
            publishingSeconds: round(publishingSeconds, 2),
            eventsPerSecondOnceRunning: Math.round((BACKLOG - 1) / publishingSeconds),
          },
          steady: {
            targetRate: RATE,
            achievedRate: Math.round(total / writeSeconds),
            events: total,
            measured: latencies.length,
            appendToConsumedMs: {
              p50: round(percentile(latencies, 0.5), 2),
              p99: round(percentile(latencies, 0.99), 2),
              max: round(latencies[latencies.length - 1] ?? NaN, 2),
            },
          },
          relayBatches: batches === undefined ? undefined : Number(batches),
          duplicates:
            reader.received.length - new Set(reader.received.map((r) => r.message.eventId)).size,
        },
        null,
        2,
      ),
    );
  } finally {
    await relay?.stop();
    await reader.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}_relay" CASCADE`);
    await pool.end();
  }
};

await main();
