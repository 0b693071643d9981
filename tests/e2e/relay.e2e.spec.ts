/**
 * The relay as separate OS processes, against the real PostgreSQL and broker:
 *  - two relays on one store: one active, one standby; SIGKILL of the active one while
 *    writers write, and the standby takes over (the time it takes is measured), with no event
 *    skipped and a resent batch the only duplicates;
 *  - the broker stopped and started again on its data mid-stream: nothing lost, order kept.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresEventStore, pgDriver } from '@newsroom/event-store';
import type { PostgresEventStore } from '@newsroom/event-store';
import {
  connectAdmin,
  createPublisher,
  createTopic,
  kafkaDeadLetters,
  kafkaFromEnv,
  kafkaSource,
} from '@newsroom/messaging';
import { ack, handlesAll, startProcessor, storedArticleEvent } from '@newsroom/processing';
import type { Processor, RunningProcessor } from '@newsroom/processing';
import { Registry } from 'prom-client';
import { freePort, startServiceProcess } from '../support.js';
import type { ServiceProcess } from '../support.js';
import { readTopic, revisionsByKey } from '../topic-reader.js';
import type { Received, TopicReader } from '../topic-reader.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const RELAY = 'services/relay/src/main.ts';

/** Whether the relay process at `url` is the active one (its /metrics says so). */
const isActive = async (url: string): Promise<boolean> => {
  const text = await fetch(`${url}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  return /^processor_active\{processor="relay"\} 1$/m.test(text);
};

/** Appends to `articles` in turn until stopped; counts what it appended per article. */
const startWriter = (store: PostgresEventStore, articles: readonly string[], pauseMs: number) => {
  let stopped = false;
  let appended = 0;
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const articleId = articles[i % articles.length]!;
      await store.appendToStream(`article-${articleId}`, [storedArticleEvent(articleId, i)]);
      appended++;
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  done.catch(() => undefined); // a failed append surfaces from stop(), never unhandled
  return {
    appended: () => appended,
    stop: async () => {
      stopped = true;
      await done;
      return appended;
    },
  };
};

/** Every (key, revision) once, in first-arrival order per key; and how many arrived twice. */
const firstArrivals = (received: readonly Received[]) => {
  const seen = new Set<string>();
  const firsts: Received[] = [];
  for (const r of received) {
    const id = `${r.key}@${r.message.revision}`;
    if (seen.has(id)) continue;
    seen.add(id);
    firsts.push(r);
  }
  return { firsts, duplicates: received.length - firsts.length };
};

const expectEveryRevisionInOrder = (received: readonly Received[], total: number) => {
  const { firsts, duplicates } = firstArrivals(received);
  expect(firsts).toHaveLength(total);
  for (const [key, revisions] of revisionsByKey(firsts)) {
    expect(revisions, key).toEqual(revisions.map((_, i) => i));
  }
  return duplicates;
};

/** A read model fed from the topic: one row per message applied (a second application shows). */
const appliedRows = (schema: string): Processor => ({
  name: 'applied',
  version: 1,
  schema,
  canHandle: handlesAll,
  migrations: [
    {
      version: 1,
      name: 'applied',
      statements: (s) => [`CREATE TABLE ${s}.applied (stream_name text, revision bigint)`],
    },
  ],
  handle: async (batch, { sql, schema: s }) => {
    for (const m of batch) {
      await sql.query(`INSERT INTO ${s}.applied VALUES ($1, $2)`, [m.streamName, m.revision]);
    }
    return ack;
  },
  truncate: async ({ sql, schema: s }) => void (await sql.query(`DELETE FROM ${s}.applied`)),
});

describe('relay processes', () => {
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let schema: string;
  let topic: string;
  const processes: ServiceProcess[] = [];
  let reader: TopicReader | undefined;
  /** Undone after each test, last first. */
  const undo: (() => Promise<unknown> | void)[] = [];

  beforeEach(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
    schema = `e2e_${randomUUID().replace(/-/g, '')}`;
    store = await createPostgresEventStore({ driver: pgDriver(pool), schema });
    topic = `e2e.relay.${randomUUID()}`;
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await reader?.stop();
    reader = undefined;
    for (const step of undo.splice(0).reverse()) await step();
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}_relay" CASCADE`);
    await pool.end();
  });

  const relayEnv = (brokers: string) => ({
    DATABASE_URL,
    EVENT_STORE_SCHEMA: schema,
    SCHEMA_PREFIX: schema,
    KAFKA_BROKERS: brokers,
    ARTICLE_EVENTS_TOPIC: topic,
    STANDBY_POLL_MS: '250',
    // The broker restart test takes it away on purpose: its connection errors are expected.
    KAFKA_LOG_LEVEL: 'nothing',
  });
  const startRelay = async (brokers: string) => {
    const relay = await startServiceProcess(RELAY, relayEnv(brokers));
    processes.push(relay);
    return relay;
  };

  it('a standby takes over within 5 s when the active relay is killed, skipping nothing', async () => {
    const kafka = kafkaFromEnv({ clientId: 'relay-e2e' });
    const admin = await connectAdmin(kafka);
    await createTopic(admin, topic, 3);
    await admin.disconnect();
    const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
    const first = await startRelay(brokers);
    const second = await startRelay(brokers);
    reader = await readTopic(kafka, topic);
    const articles = Array.from({ length: 10 }, () => randomUUID());
    const writer = startWriter(store, articles, 2);
    await reader.until(300, 60_000);

    const [active, standby] = (await isActive(first.url)) ? [first, second] : [second, first];
    expect(await isActive(active.url)).toBe(true);
    expect(await isActive(standby.url)).toBe(false);
    const killedAt = performance.now();
    await active.kill();
    while (!(await isActive(standby.url))) {
      if (performance.now() - killedAt > 15_000) throw new Error('the standby never took over');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const takeoverMs = performance.now() - killedAt;
    const atKill = writer.appended();
    while (writer.appended() < atKill + 300) await new Promise((r) => setTimeout(r, 20));
    const total = await writer.stop();
    await reader.until(total, 60_000);

    const duplicates = expectEveryRevisionInOrder(reader.received, total);
    console.log(
      JSON.stringify({ relayTakeover: { takeoverMs: Math.round(takeoverMs), total, duplicates } }),
    );
    expect(takeoverMs).toBeLessThan(5_000);
  });

  it('loses nothing when the broker is stopped and started again mid-stream', async () => {
    // A broker of its own (the shared one keeps serving the other tests), on its own data.
    const runDir = mkdtempSync(join(tmpdir(), 'newsroom-kafka-'));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      KAFKA_RUN_DIR: runDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
    };
    const broker = (script: string, extra: Record<string, string> = {}) =>
      execFileSync('bash', [`infra/kafka/${script}`], {
        env: { ...env, ...extra },
        stdio: 'ignore',
        // A script that never returns fails the test (a sync call blocks vitest's own timeout).
        timeout: 150_000,
      });
    undo.push(() => {
      broker('stop.sh');
      rmSync(runDir, { recursive: true, force: true });
    });
    broker('start.sh');
    const brokers = `127.0.0.1:${port}`;
    const kafka = kafkaFromEnv({
      clientId: 'relay-e2e-restart',
      env: { KAFKA_BROKERS: brokers },
      logLevel: 'nothing',
    });
    const admin = await connectAdmin(kafka, { brokers: [brokers] });
    await createTopic(admin, topic, 3);
    await admin.disconnect();
    await startRelay(brokers);
    reader = await readTopic(kafka, topic);
    // A consumer on the processor layer too, fed by its own group: it must catch up as well.
    const consumerSchema = `${schema}_consumer`;
    const publisher = createPublisher(kafka);
    const consumer: RunningProcessor = startProcessor({
      processor: appliedRows(consumerSchema),
      sql: pgDriver(pool),
      store,
      source: kafkaSource({ kafka, topic, groupId: `e2e.applied.${randomUUID()}` }),
      deadLetters: kafkaDeadLetters(publisher, `${topic}.dead-letters`),
      registry: new Registry(),
      log: () => undefined,
    });
    undo.push(async () => {
      await consumer.stop();
      await publisher.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${consumerSchema}" CASCADE`);
    });
    const articles = Array.from({ length: 10 }, () => randomUUID());
    const writer = startWriter(store, articles, 5);
    await reader.until(100, 60_000);

    broker('stop.sh');
    const beforeOutage = writer.appended();
    while (writer.appended() < beforeOutage + 200) await new Promise((r) => setTimeout(r, 20));
    broker('start.sh', { KAFKA_RESUME: '1' });
    const total = await writer.stop();
    await reader.until(total, 90_000);

    const duplicates = expectEveryRevisionInOrder(reader.received, total);
    await consumer.whenCaughtUp(60_000);
    const applied = await pool.query<{ n: string; distinct: string }>(
      `SELECT count(*)::text AS n, count(DISTINCT (stream_name, revision))::text AS distinct
         FROM "${consumerSchema}".applied`,
    );
    expect(applied.rows[0]).toEqual({ n: String(total), distinct: String(total) });
    console.log(JSON.stringify({ relayBrokerRestart: { total, duplicates } }));
  });
});
