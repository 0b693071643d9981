// kafkaSource under the processor runtime, against the real broker at KAFKA_BROKERS (default
// 127.0.0.1:9092) and PostgreSQL at DATABASE_URL: every test has its own topic (3 partitions),
// dead-letter topic, consumer group and schemas. The test processor writes one row per message
// into a table with no unique key, so a message applied twice shows as a second row, and a
// serial id records the order rows were written in.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AssignerProtocol, Partitioners } from 'kafkajs';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { DeadLetterHeaders } from '@newsroom/contracts';
import type { ArticleEvent, ArticleEventMessage } from '@newsroom/contracts';
import { createPostgresEventStore, pgDriver, sqlState } from '@newsroom/event-store';
import type { PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { ack, articleMessages, handles, startProcessor, stop } from '@newsroom/processing';
import type { Processor, RunningProcessor } from '@newsroom/processing';
import {
  articleEventRecord,
  connectAdmin,
  createPublisher,
  createTopic,
  kafkaFromEnv,
  waitFor,
} from './index.js';
import type { OutgoingMessage, Publisher } from './index.js';
import { kafkaSource } from './consumer.js';
import type { KafkaSourceOptions } from './consumer.js';
import { kafkaDeadLetters } from './dead-letters.js';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const PARTITIONS = 3;
const ARTICLES = 20;
const EVENTS = 10;
const TOTAL = ARTICLES * EVENTS;
const PROCESSOR = 'counts';
const RETRY = { attempts: 2, initialDelayMs: 5, maxDelayMs: 20 } as const;
const HANDLED = ['SubmittedForReview.v1', 'SubmissionWithdrawn.v1'] as const;

// ---- messages ------------------------------------------------------------------------------

const by = { id: 'editor.e', role: 'editor' } as const;
const at = '2026-04-08T14:00:00.000Z';
const eventsOf = (articleId: string, count: number): ArticleEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    type: HANDLED[i % 2] ?? 'SubmittedForReview.v1',
    data: { articleId, at, by },
  }));

/** The partition kafkajs' default partitioner (murmur2, as the publisher uses) gives a key. */
const partitioner = Partitioners.DefaultPartitioner();
const partitionOf = (key: string): number =>
  partitioner({
    topic: 'any',
    partitionMetadata: Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
      partitionErrorCode: 0,
    })),
    message: { key, value: null },
  });

/** `count` article ids whose keys land on every partition (so every partition has work). */
const articleIds = (count: number): string[] => {
  for (;;) {
    const ids = Array.from({ length: count }, () => randomUUID());
    if (new Set(ids.map(partitionOf)).size === PARTITIONS) return ids;
  }
};

/** Each article's events `from`..`to - 1`, interleaved across articles (as a busy log would). */
const interleaved = (ids: readonly string[], from: number, to: number): ArticleEventMessage[] => {
  const byArticle = ids.map((id) =>
    articleMessages(id, eventsOf(id, EVENTS).slice(from, to), { fromRevision: from }),
  );
  const out: ArticleEventMessage[] = [];
  for (let i = 0; i < to - from; i++) {
    for (const messages of byArticle) {
      const message = messages[i];
      if (message) out.push(message);
    }
  }
  return out;
};

// ---- the test processor --------------------------------------------------------------------

interface Row {
  readonly id: number;
  readonly stream: string;
  readonly revision: number;
  readonly by: string | null;
}

/** One row per applied message; throws for `failOn` (an event id), answers stop for `stopOn`. */
const countsProcessor = (
  schema: string,
  options: { readonly by?: string; readonly failOn?: string; readonly stopOn?: string } = {},
): Processor => ({
  name: PROCESSOR,
  version: 1,
  schema,
  canHandle: handles(...HANDLED),
  migrations: [
    {
      version: 1,
      name: 'counts',
      statements: (s) => [
        `CREATE TABLE ${s}.counts (id bigserial PRIMARY KEY, stream_name text NOT NULL,
           revision bigint NOT NULL, by text)`,
      ],
    },
  ],
  handle: async (batch, { sql, schema: s }) => {
    let result = ack;
    for (const message of batch) {
      await sql.query(
        `INSERT INTO ${s}.counts (stream_name, revision, by) VALUES ($1, $2::bigint, $3)`,
        [message.streamName, message.revision, options.by ?? null],
      );
      // After the insert: the row must go with the rolled-back transaction.
      if (message.eventId === options.failOn) {
        throw new Error(`poison ${message.streamName}@${message.revision}`);
      }
      if (message.eventId === options.stopOn) result = stop(`told to at ${message.revision}`);
    }
    return result;
  },
  truncate: async ({ sql, schema: s }) => {
    await sql.query(`TRUNCATE ${s}.counts`);
  },
});

// ---- the fixture -----------------------------------------------------------------------------

const random = () => randomUUID().replaceAll('-', '').slice(0, 12);

describe('kafkaSource under the processor runtime', () => {
  let pool: pg.Pool;
  let sql: SqlDriver;
  let kafka: Kafka;
  let admin: Admin;
  let publisher: Publisher;
  let store: PostgresEventStore;
  let topic: string;
  let dlqTopic: string;
  let groupId: string;
  let schema: string;
  let cleanups: Array<() => Promise<unknown>>;
  let running: RunningProcessor[];

  beforeAll(() => {
    pool = new pg.Pool({ connectionString: DATABASE_URL, max: 8 });
    pool.on('error', () => undefined);
    sql = pgDriver(pool);
  });
  afterAll(async () => {
    await pool?.end();
  });

  beforeEach(async () => {
    cleanups = [];
    running = [];
    kafka = kafkaFromEnv({ clientId: 'consumer-int-spec' });
    admin = await connectAdmin(kafka, { timeoutMs: 10_000 });
    const id = random();
    topic = `it.consumer.${id}`;
    dlqTopic = `it.consumer.${id}.dead-letters`;
    groupId = `it.consumer.${id}`;
    schema = `p_${id}`;
    cleanups.push(async () => {
      await admin.deleteTopics({ topics: [topic, dlqTopic] }).catch(() => undefined);
      await admin.disconnect();
    });
    await createTopic(admin, topic, PARTITIONS);
    await createTopic(admin, dlqTopic, 1);
    publisher = createPublisher(kafka);
    cleanups.push(() => publisher.close());
    const storeSchema = `s_${id}`;
    store = await createPostgresEventStore({ driver: sql, schema: storeSchema, notify: false });
    cleanups.push(async () => {
      await store.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`);
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
  });

  afterEach(async () => {
    // Processors first (they hold consumers, publishers' sends and connections), all at once.
    await Promise.allSettled(running.splice(0).map((p) => p.stop()));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  // ---- helpers -------------------------------------------------------------------------------

  const produce = (messages: readonly ArticleEventMessage[]) =>
    publisher.send(topic, messages.map(articleEventRecord));

  interface Started {
    readonly processor: RunningProcessor;
    readonly registry: Registry;
    readonly logs: Record<string, unknown>[];
  }

  const start = (
    options: {
      readonly processor?: Processor;
      readonly registry?: Registry;
      readonly source?: Partial<KafkaSourceOptions>;
    } = {},
  ): Started => {
    const registry = options.registry ?? new Registry();
    const logs: Record<string, unknown>[] = [];
    const processor = startProcessor({
      processor: options.processor ?? countsProcessor(schema),
      sql,
      store,
      source: kafkaSource({ kafka, topic, groupId, ...options.source }),
      deadLetters: kafkaDeadLetters(publisher, dlqTopic),
      registry,
      retry: RETRY,
      log: (line) => void logs.push(line),
    });
    running.push(processor);
    return { processor, registry, logs };
  };

  /** Stops it and takes it off the list afterEach stops. */
  const stopped = async ({ processor }: Started) => {
    running.splice(running.indexOf(processor), 1);
    await processor.stop();
  };

  const rows = async (): Promise<Row[]> =>
    (
      await pool.query<Row>(
        `SELECT id::int AS id, stream_name AS stream, revision::int AS revision, by
           FROM "${schema}".counts ORDER BY id`,
      )
    ).rows;

  /** Rows so far (0 while the processor has not created its table yet). */
  const rowCount = async (): Promise<number> => {
    const result = await pool
      .query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".counts`)
      .catch((error: unknown) => {
        if (sqlState(error) === '42P01' || sqlState(error) === '3F000') return undefined;
        throw error;
      });
    return Number(result?.rows[0]?.n ?? 0);
  };

  /** Revisions per stream, in the order they were written. */
  const revisionsByStream = (all: readonly Row[]): Map<string, number[]> => {
    const out = new Map<string, number[]>();
    for (const row of all) out.set(row.stream, [...(out.get(row.stream) ?? []), row.revision]);
    return out;
  };

  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  /** Every article's revisions 0..EVENTS-1, each once, in order. */
  const expectAllOnceInOrder = async (ids: readonly string[]) => {
    const all = await rows();
    expect(all).toHaveLength(ids.length * EVENTS);
    const byStream = revisionsByStream(all);
    expect([...byStream.keys()].sort()).toEqual(ids.map((id) => `article-${id}`).sort());
    for (const [stream, revisions] of byStream) {
      expect(revisions, `${stream}: each revision once, in order`).toEqual(range(EVENTS));
    }
    return all;
  };

  const events = async (registry: Registry, outcome: string): Promise<number> => {
    const metric = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'processor_events_total',
    );
    const value = metric?.values.find(
      (v) => v.labels['outcome'] === outcome && v.labels['processor'] === PROCESSOR,
    );
    return Number(value?.value ?? 0);
  };

  const messageCount = async (name: string): Promise<number> =>
    (await admin.fetchTopicOffsets(name)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);

  /** Reads `count` messages of `name` from its start with a consumer of its own. */
  const readTopic = async (name: string, count: number): Promise<KafkaMessage[]> => {
    const received: KafkaMessage[] = [];
    const consumer: Consumer = kafka.consumer({
      groupId: `it.consumer.reader.${random()}`,
      maxWaitTimeInMs: 250,
    });
    cleanups.push(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics: [name], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
    await waitFor(() => received.length >= count, 30_000, {
      description: `${count} messages on ${name}`,
    });
    await consumer.disconnect();
    return received;
  };

  const text = (value: Buffer | string | (Buffer | string)[] | undefined): string | undefined =>
    value === undefined ? undefined : (Array.isArray(value) ? value[0] : value)?.toString();

  const headersOf = (message: KafkaMessage): Record<string, string> =>
    Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, text(v) ?? '']));

  /** Decodes a dead letter's headers with contracts' codec (fails the test if they do not). */
  const deadLetterHeaders = (message: KafkaMessage): DeadLetterHeaders => {
    const decoded = DeadLetterHeaders.decode(headersOf(message));
    if (decoded._tag === 'Left') throw new Error(`bad dead-letter headers: ${headersOf(message)}`);
    return decoded.right;
  };

  /** Once the group is stable with `members` members each holding partitions: its clientId's. */
  const assignments = async (members: number): Promise<Map<string, number[]>> =>
    waitFor(
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        const group = groups[0];
        if (group?.state !== 'Stable' || group.members.length !== members) return undefined;
        const split = new Map(
          group.members.map((m) => [
            m.clientId,
            AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic] ?? [],
          ]),
        );
        return [...split.values()].every((partitions) => partitions.length > 0) ? split : undefined;
      },
      30_000,
      {
        description: `a stable group of ${members} members, each with partitions`,
        intervalMs: 100,
      },
    );

  const committedOffsets = async (): Promise<Map<number, string>> => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((offsets?.partitions ?? []).map((p) => [p.partition, p.offset]));
  };

  // ---- the tests -----------------------------------------------------------------------------

  it('applies every message once, keeping each article’s order', async () => {
    const ids = articleIds(ARTICLES);
    await produce(interleaved(ids, 0, EVENTS));
    expect(await messageCount(topic)).toBe(TOTAL);

    // Small chunks: each partition's batch is applied in many transactions.
    const started = start({ source: { maxBatch: 7 } });
    await started.processor.whenCaughtUp(30_000);

    await expectAllOnceInOrder(ids);
    expect(await events(started.registry, 'applied')).toBe(TOTAL);
    expect(await events(started.registry, 'duplicate')).toBe(0);
    expect(await events(started.registry, 'dead_lettered')).toBe(0);
    expect(await messageCount(dlqTopic)).toBe(0);
    // Caught up means committed: the group's offsets are at every partition's end.
    const ends = await admin.fetchTopicOffsets(topic);
    expect(await committedOffsets()).toEqual(new Map(ends.map((p) => [p.partition, p.high])));
  });

  it('changes nothing when the group reads the topic again from the start', async () => {
    const ids = articleIds(ARTICLES);
    await produce(interleaved(ids, 0, EVENTS));
    const registry = new Registry();
    const first = start({ registry });
    await first.processor.whenCaughtUp(30_000);
    const before = await expectAllOnceInOrder(ids);
    expect(await events(registry, 'duplicate')).toBe(0);
    await stopped(first);

    // No member runs now: send the group back to the earliest offsets.
    await admin.resetOffsets({ groupId, topic, earliest: true });
    expect([...(await committedOffsets()).values()].every((o) => BigInt(o) <= 0n)).toBe(true);

    const second = start({ registry });
    await second.processor.whenCaughtUp(30_000);

    expect(await rows()).toEqual(before); // not a row added, moved or changed
    expect(await events(registry, 'duplicate')).toBe(TOTAL);
    expect(await events(registry, 'applied')).toBe(TOTAL);
  });

  it('dead-letters a poison message and goes on with the messages behind it', async () => {
    const [poisoned, ...others] = articleIds(ARTICLES);
    if (poisoned === undefined) throw new Error('no article ids');
    const poisonMessages = articleMessages(poisoned, eventsOf(poisoned, 6));
    // Revision 2 throws in the handler: an event id of its own (articleMessages' ids repeat).
    const throwing = { ...poisonMessages[2]!, eventId: randomUUID() };
    const notJson: OutgoingMessage = {
      key: poisoned,
      value: '{"schema": "newsroom.article-event.v1", this is not JSON',
      headers: { 'event-type': 'SubmissionWithdrawn.v1', 'event-id': randomUUID() },
    };
    const sequence: OutgoingMessage[] = [
      articleEventRecord(poisonMessages[0]!),
      notJson, // in place of revision 1
      articleEventRecord(throwing),
      ...poisonMessages.slice(3).map(articleEventRecord),
    ];
    // First on the fresh topic: the poisoned article's messages are offsets 0..5 of one partition.
    await publisher.send(topic, sequence);
    const partition = (await admin.fetchTopicOffsets(topic)).find((p) => p.high === '6');
    expect(partition?.partition).toBe(partitionOf(poisoned));
    await produce(interleaved(others, 0, EVENTS));

    const started = start({ processor: countsProcessor(schema, { failOn: throwing.eventId }) });
    await started.processor.whenCaughtUp(30_000);

    // Its later messages were applied, in order; the poison left no row behind.
    const byStream = revisionsByStream(await rows());
    expect(byStream.get(`article-${poisoned}`)).toEqual([0, 3, 4, 5]);
    for (const id of others) expect(byStream.get(`article-${id}`)).toEqual(range(EVENTS));
    expect(await events(started.registry, 'dead_lettered')).toBe(2);
    expect(await events(started.registry, 'applied')).toBe(4 + others.length * EVENTS);

    // Exactly the two, in order, on the dead-letter topic: original key and value, and headers
    // that say where each came from and why.
    expect(await messageCount(dlqTopic)).toBe(2);
    const [undecodable, failed] = await readTopic(dlqTopic, 2);
    const origin = {
      'source-topic': topic,
      'source-partition': String(partitionOf(poisoned)),
      'source-group': groupId,
      'dead-letter-schema': 'newsroom.dead-letter.v1',
      'dead-letter-processor': PROCESSOR,
    };
    expect(undecodable?.key?.toString()).toBe(poisoned);
    expect(undecodable?.value?.toString()).toBe(notJson.value);
    const undecodableHeaders = deadLetterHeaders(undecodable!);
    expect(undecodableHeaders).toMatchObject({
      ...origin,
      'source-offset': '1',
      'event-type': 'SubmissionWithdrawn.v1',
      'dead-letter-attempts': '0',
    });
    expect(undecodableHeaders['dead-letter-reason']).toMatch(/^undecodable: not JSON/);

    expect(failed?.key?.toString()).toBe(poisoned);
    expect(failed?.value?.toString()).toBe(sequence[2]?.value);
    const failedHeaders = deadLetterHeaders(failed!);
    expect(failedHeaders).toMatchObject({
      ...origin,
      'source-offset': '2',
      'event-type': throwing.event.type,
      'event-id': throwing.eventId,
      'dead-letter-attempts': String(RETRY.attempts),
    });
    expect(failedHeaders['dead-letter-reason']).toMatch(
      new RegExp(`^handler failed ${RETRY.attempts} times: Error: poison article-${poisoned}@2`),
    );
  });

  it('shares the partitions between two instances of one group, applying each message once', async () => {
    const ids = articleIds(ARTICLES);
    // Each instance its own client id, to tell the group's members apart.
    const instance = (name: string) =>
      start({
        processor: countsProcessor(schema, { by: name }),
        source: { kafka: kafkaFromEnv({ clientId: name }) },
      });
    // The first half before the second instance joins (a rebalance while a is at work), the
    // rest once both hold partitions.
    await produce(interleaved(ids, 0, EVENTS / 2));
    const a = instance('a');
    await waitFor(async () => (await rowCount()) > 0, 30_000, { description: 'a to apply' });
    const b = instance('b');
    const split = await assignments(2);
    console.info(`partitions of ${topic}: ${JSON.stringify(Object.fromEntries(split))}`);
    expect([...split.keys()].sort()).toEqual(['a', 'b']);
    expect([...split.values()].flat().sort()).toEqual(range(PARTITIONS));
    await produce(interleaved(ids, EVENTS / 2, EVENTS));
    await a.processor.whenCaughtUp(30_000);
    await b.processor.whenCaughtUp(30_000);

    // Once in all, in order, whoever applied it.
    const all = await expectAllOnceInOrder(ids);
    const applied = (await events(a.registry, 'applied')) + (await events(b.registry, 'applied'));
    expect(applied).toBe(TOTAL);
    // The second half went to the instance holding its article's partition: both had work.
    const owner = new Map(
      [...split].flatMap(([name, partitions]) => partitions.map((p) => [p, name] as const)),
    );
    for (const row of all.filter((r) => r.revision >= EVENTS / 2)) {
      const articleId = row.stream.slice('article-'.length);
      expect(row.by, `${row.stream}@${row.revision}`).toBe(owner.get(partitionOf(articleId)));
    }
    const rowsOf = (name: string) => all.filter((r) => r.by === name).length;
    console.info(`rows applied: a ${rowsOf('a')}, b ${rowsOf('b')}`);
    expect(rowsOf('a')).toBeGreaterThan(0);
    expect(rowsOf('b')).toBeGreaterThan(0);
  });

  it('stops gracefully mid-stream and resumes: nothing lost, nothing applied twice', async () => {
    const ids = articleIds(ARTICLES);
    await produce(interleaved(ids, 0, EVENTS));
    const registry = new Registry();
    // Small chunks, each held a little: the stop comes while messages are still flowing.
    const slow = countsProcessor(schema);
    const throttled: Processor = {
      ...slow,
      handle: async (batch, context) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return slow.handle(batch, context);
      },
    };
    const first = start({ processor: throttled, registry, source: { maxBatch: 5 } });
    await waitFor(async () => (await rowCount()) >= TOTAL / 4, 30_000, {
      description: 'a quarter applied',
    });
    await stopped(first);
    const atStop = await rowCount();
    expect(atStop, 'stopped mid-stream').toBeLessThan(TOTAL);
    expect(first.processor.status()).toBe('stopped');

    const second = start({ registry });
    await second.processor.whenCaughtUp(30_000);

    await expectAllOnceInOrder(ids);
    expect(await events(registry, 'applied')).toBe(TOTAL);
    // A graceful stop commits the offsets of what it applied: nothing comes again.
    expect(await events(registry, 'duplicate')).toBe(0);
  });

  it('dead-letters a message whose key is not its article', async () => {
    const [a, b] = articleIds(ARTICLES);
    if (a === undefined || b === undefined) throw new Error('no article ids');
    const [a0, a1, a2] = articleMessages(a, eventsOf(a, 3));
    const misKeyed: OutgoingMessage = { ...articleEventRecord(a1!), key: b };
    await publisher.send(topic, [articleEventRecord(a0!), misKeyed, articleEventRecord(a2!)]);
    await produce(articleMessages(b, eventsOf(b, 3)));

    const started = start();
    await started.processor.whenCaughtUp(30_000);

    const byStream = revisionsByStream(await rows());
    expect(byStream.get(`article-${a}`)).toEqual([0, 2]);
    expect(byStream.get(`article-${b}`)).toEqual([0, 1, 2]);
    expect(await events(started.registry, 'dead_lettered')).toBe(1);
    expect(await messageCount(dlqTopic)).toBe(1);
    const [letter] = await readTopic(dlqTopic, 1);
    expect(letter?.key?.toString()).toBe(b);
    expect(letter?.value?.toString()).toBe(misKeyed.value);
    const headers = deadLetterHeaders(letter!);
    expect(headers).toMatchObject({
      'source-topic': topic,
      'source-partition': String(partitionOf(b)),
      // Sent second, after a0: first on b's partition unless a shares it.
      'source-offset': partitionOf(a) === partitionOf(b) ? '1' : '0',
      'source-group': groupId,
      'event-id': a1!.eventId,
      'dead-letter-attempts': '0',
    });
    expect(headers['dead-letter-reason']).toBe(
      `undecodable: key ${b} is not the message's article ${a}`,
    );
  });

  it('stays stopped once its handler answers stop', async () => {
    const ids = articleIds(ARTICLES);
    const messages = interleaved(ids, 0, EVENTS);
    const last = messages[messages.length - 1];
    if (last === undefined) throw new Error('no messages');
    // The last message of its partition answers stop.
    const stopAt = { ...last, eventId: randomUUID() };
    await produce([...messages.slice(0, -1), stopAt]);
    const started = start({ processor: countsProcessor(schema, { stopOn: stopAt.eventId }) });

    // Stopped for good (the run loop has ended), not failing and restarted.
    await waitFor(() => started.processor.status() === 'stopped', 30_000, {
      description: 'the processor to stop itself',
    });
    await expect(started.processor.ready()).rejects.toThrow(
      `stopped by its handler: told to at ${EVENTS - 1}`,
    );
    // Applied, then stopped: its stream is whole; the other partitions stopped where they
    // were, every stream a prefix of its revisions, each once, in order.
    const byStream = revisionsByStream(await rows());
    expect(byStream.get(stopAt.streamName)).toEqual(range(EVENTS));
    for (const [stream, revisions] of byStream) {
      expect(revisions, stream).toEqual(range(revisions.length));
    }
  });
});
