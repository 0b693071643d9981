/**
 * The relay against the real PostgreSQL and broker: every event of 16 concurrent writers on
 * the topic once, in stream order per key, each message carrying the stored hash chain; and
 * no transaction held open while the broker keeps it waiting.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresEventStore, pgDriver } from '@newsroom/event-store';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { connectAdmin, createPublisher, createTopic, kafkaFromEnv } from '@newsroom/messaging';
import type { Publisher } from '@newsroom/messaging';
import {
  storedArticleEvent,
  startProcessor,
  storeDeadLetters,
  storeSource,
} from '@newsroom/processing';
import type { RunningProcessor } from '@newsroom/processing';
import { readTopic, revisionsByKey } from '../../../tests/topic-reader.js';
import type { TopicReader } from '../../../tests/topic-reader.js';
import { relayProcessor } from './relay.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A stored event that decodes (the relay publishes what the contract codecs read). */

describe('the relay', () => {
  const kafka = kafkaFromEnv({ clientId: 'relay-int-spec' });
  const appName = `relay-spec-${randomUUID().slice(0, 8)}`;
  let pool: pg.Pool;
  let sql: SqlDriver;
  let store: PostgresEventStore;
  let schema: string;
  let topic: string;
  let publisher: Publisher;
  let relay: RunningProcessor | undefined;
  let reader: TopicReader | undefined;
  let hang: Server | undefined;

  beforeEach(async () => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 24, application_name: appName });
    sql = pgDriver(pool);
    schema = `relay_${randomUUID().replace(/-/g, '')}`;
    store = await createPostgresEventStore({ driver: sql, schema });
    topic = `it.relay.${randomUUID()}`;
    const admin = await connectAdmin(kafka);
    await createTopic(admin, topic, 3);
    await admin.disconnect();
  });
  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await reader?.stop();
    reader = undefined;
    await publisher?.close();
    hang?.close();
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}_relay" CASCADE`);
    await pool.end();
  });

  const startRelay = (registry = new Registry()) =>
    startProcessor({
      processor: relayProcessor({ publisher, schema: `${schema}_relay`, registry, topic }),
      sql,
      store,
      source: storeSource({ store }),
      deadLetters: storeDeadLetters(schema),
      registry,
      log: () => undefined,
      retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 200 },
      lagIntervalMs: 100,
    });

  it('publishes 10,000 events of 16 concurrent writers once each, in stream order per key', async () => {
    publisher = createPublisher(kafka);
    reader = await readTopic(kafka, topic);
    relay = startRelay();
    const ARTICLES = 40;
    const articles = Array.from({ length: ARTICLES }, () => randomUUID());
    // 16 writers race on the same 40 articles: the store decides each stream's order, and
    // the relay must keep it on the topic while they are still writing.
    const writing = store; // this test's store, even if a later test has its own by then
    const writer = async (w: number) => {
      for (let i = 0; i < 625; i++) {
        const articleId = articles[(w * 7 + i * 13) % ARTICLES]!;
        await writing.appendToStream(`article-${articleId}`, [storedArticleEvent(articleId, i)]);
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
    await reader.until(10_000, 150_000);
    await relay.whenCaughtUp();

    expect(reader.undecodable).toEqual([]);
    expect(reader.received).toHaveLength(10_000);
    const byKey = revisionsByKey(reader.received);
    expect(byKey.size).toBe(ARTICLES);
    for (const [key, revisions] of byKey) {
      expect(revisions, key).toEqual(revisions.map((_, i) => i));
    }
    // Each message is the stored event: its hash chains to the one before it in the stream.
    const stored = await store.readStream(`article-${articles[0]}`);
    const published = reader.received.filter((r) => r.key === articles[0]);
    expect(published.map((r) => r.message.hash)).toEqual(stored.map((e) => e.hash));
    for (let i = 1; i < published.length; i++) {
      expect(published[i]!.message.previousHash).toBe(published[i - 1]!.message.hash);
    }
    expect(published[0]!.headers).toEqual({
      'event-id': stored[0]!.id,
      'event-type': 'PublicationScheduled.v1',
    });
    // One key, one partition.
    for (const key of byKey.keys()) {
      expect(
        new Set(reader.received.filter((r) => r.key === key).map((r) => r.partition)).size,
      ).toBe(1);
    }
  }, 180_000); // 10,000 appends and their messages: a minute or more on a loaded 2-core machine

  it('holds no transaction open while the broker keeps it waiting, and catches up after', async () => {
    // A "broker" that accepts connections and never answers: every send waits.
    hang = createServer(() => undefined);
    await new Promise<void>((resolve) => hang!.listen(0, '127.0.0.1', resolve));
    const port = (hang.address() as { port: number }).port;
    publisher = createPublisher(
      kafkaFromEnv({
        clientId: 'relay-int-spec-hang',
        env: { KAFKA_BROKERS: `127.0.0.1:${port}` },
        connectionTimeout: 1500,
        retry: { retries: 0 },
      }),
    );
    const registry = new Registry();
    relay = startRelay(registry);
    const articleId = randomUUID();
    for (let i = 0; i < 5; i++)
      await store.appendToStream(`article-${articleId}`, [storedArticleEvent(articleId, i)]);
    // While the relay waits on the broker: no session of this pool holds a transaction open
    // (its own short ones, two statements long, come and go between the waits)...
    for (let check = 0; check < 10; check++) {
      const { rows } = await pool.query(
        `SELECT state FROM pg_stat_activity
          WHERE application_name = $1 AND xact_start < now() - interval '500 milliseconds'
            AND pid <> pg_backend_pid()`,
        [appName],
      );
      expect(rows).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // ...and the log's horizon is not held back: a new append becomes readable while the
    // broker still hangs (other suites' short transactions on the server may delay it a
    // moment; a transaction the relay held open would delay it for good).
    const appended = await store.appendToStream(`article-${articleId}`, [
      storedArticleEvent(articleId, 9),
    ]);
    await expect
      .poll(async () => (await store.readAll({ maxCount: 100 })).at(-1)?.position, {
        timeout: 3_000,
        interval: 50,
      })
      .toEqual(appended.position);
    const metrics = await registry.getMetricsAsJSON();
    const failures = metrics.find((m) => m.name === 'processor_failures_total');
    expect(failures?.values.reduce((n, v) => n + Number(v.value), 0)).toBeGreaterThan(0);

    // The real broker again: the relay (a new one on the same position) publishes all six.
    await relay.stop();
    await publisher.close();
    publisher = createPublisher(kafka);
    reader = await readTopic(kafka, topic);
    relay = startRelay();
    await reader.until(6, 30_000);
    await relay.whenCaughtUp();
    expect(revisionsByKey(reader.received).get(articleId)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('holds, reported failing, on a stored event it cannot read: nothing after it is published', async () => {
    publisher = createPublisher(kafka);
    reader = await readTopic(kafka, topic);
    const articleId = randomUUID();
    const stream = `article-${articleId}`;
    relay = startRelay();
    await store.appendToStream(stream, [
      storedArticleEvent(articleId, 0),
      storedArticleEvent(articleId, 1),
    ]);
    await reader.until(2, 30_000);
    // As a newer writer might store it: a type this version's codecs do not know. (The batch
    // that holds it is held whole; here it comes in a batch of its own with one after it.)
    await store.appendToStream(stream, [
      { id: randomUUID(), type: 'ArticleTranslated.v1', data: { articleId }, metadata: null },
    ]);
    await store.appendToStream(stream, [storedArticleEvent(articleId, 3)]);
    const notReady = async () => {
      for (let i = 0; i < 300; i++) {
        if (
          await relay!.ready().then(
            () => false,
            () => true,
          )
        )
          return true;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    };
    expect(await notReady()).toBe(true);
    await expect(relay.ready()).rejects.toThrow(/cannot be read/);
    // A while later: still the two before it, none after; and it was not dead-lettered away.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(revisionsByKey(reader.received).get(articleId)).toEqual([0, 1]);
    const letters = await pool.query(`SELECT 1 FROM "${schema}".dead_letters`);
    expect(letters.rows).toEqual([]);
  });
});
