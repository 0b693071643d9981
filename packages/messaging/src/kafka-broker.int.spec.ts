// kafkajs against the real broker at KAFKA_BROKERS (default 127.0.0.1:9092): start it with
// `bash infra/kafka/start.sh`. Without a broker these tests fail, saying so; they never skip.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import {
  KafkaUnreachableError,
  connectAdmin,
  createProducer,
  createTopic,
  kafkaFromEnv,
  sendKeyed,
  waitFor,
} from './index.js';
import type { KeyedMessage } from './index.js';
import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

const KEYS = 50;
const PER_KEY = 20;
const TOTAL = KEYS * PER_KEY; // 1,000
const PARTITIONS = 3;
const HALF = TOTAL / 2;

interface Received {
  readonly key: string;
  readonly seq: number;
  readonly partition: number;
  readonly offset: string;
}

const keyName = (index: number): string => `article-${String(index).padStart(2, '0')}`;
const id = ({ key, seq }: Received): string => `${key}#${seq}`;

/** 50 keys x 20 messages, interleaved across keys; each value carries its key and per-key sequence. */
function allMessages(): KeyedMessage[] {
  const messages: KeyedMessage[] = [];
  for (let seq = 0; seq < PER_KEY; seq += 1) {
    for (let k = 0; k < KEYS; k += 1) {
      const key = keyName(k);
      messages.push({ key, value: JSON.stringify({ key, seq }) });
    }
  }
  return messages;
}

function decode(partition: number, message: KafkaMessage): Received {
  const value = JSON.parse(message.value?.toString() ?? 'null') as { key: string; seq: number };
  expect(message.key?.toString()).toBe(value.key);
  return { key: value.key, seq: value.seq, partition, offset: message.offset };
}

function seqsByKey(received: readonly Received[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const { key, seq } of received) byKey.set(key, [...(byKey.get(key) ?? []), seq]);
  return byKey;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

describe('Kafka broker at KAFKA_BROKERS, through kafkajs', () => {
  let kafka: Kafka;
  let admin: Admin | undefined;
  let topic: string;
  let groupId: string;
  const clients: Array<Producer | Consumer> = [];

  let unreachable: KafkaUnreachableError | undefined;

  beforeEach(async () => {
    kafka = kafkaFromEnv({ clientId: 'kafka-broker-int-spec' });
    // Throws KafkaUnreachableError ("Kafka broker unreachable at ... start it with ...") so that
    // every test here fails with that message when no broker runs; waits once, not per test.
    if (unreachable) throw unreachable;
    admin = await connectAdmin(kafka, { timeoutMs: 10_000 }).catch((error: unknown) => {
      if (error instanceof KafkaUnreachableError) unreachable = error;
      throw error;
    });
    topic = `it.kafka-broker.${randomUUID()}`;
    groupId = `it.kafka-broker.${randomUUID()}`;
    expect(await createTopic(admin, topic, PARTITIONS)).toEqual({
      name: topic,
      partitions: PARTITIONS,
      created: true,
    });
  });

  afterEach(async () => {
    const open = clients.splice(0).reverse();
    await Promise.allSettled(open.map((client) => client.disconnect()));
    if (admin) {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      admin = undefined;
    }
  });

  function newConsumer(): Consumer {
    const consumer = kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // disconnect() waits for the fetch in flight; with nothing to read it lasts this long
      // (kafkajs' default 5 s would add 5 s to every test).
      maxWaitTimeInMs: 250,
    });
    clients.push(consumer);
    return consumer;
  }

  /** Sends all 1,000 messages with an idempotent producer, 100 per awaited send. */
  async function produceAll(): Promise<void> {
    const producer = createProducer(kafka);
    clients.push(producer);
    await producer.connect();
    const messages = allMessages();
    for (let start = 0; start < messages.length; start += 100) {
      await sendKeyed(producer, topic, messages.slice(start, start + 100));
    }
    // The broker holds exactly 1,000 records: no send was written twice.
    const offsets = await admin!.fetchTopicOffsets(topic);
    const stored = offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
    expect(stored).toBe(TOTAL);
    expect(offsets.filter(({ high }) => Number(high) > 0)).toHaveLength(PARTITIONS);
  }

  async function committedOffsets(): Promise<Map<number, string>> {
    const [offsets] = await admin!.fetchOffsets({ groupId, topics: [topic] });
    return new Map(
      (offsets?.partitions ?? [])
        .filter(({ offset }) => Number(offset) >= 0)
        .map(({ partition, offset }) => [partition, offset]),
    );
  }

  it('a consumer group reads back 1,000 keyed messages: per-key order, none missing, none duplicated', async () => {
    await produceAll();

    const received: Received[] = [];
    const consumer = newConsumer();
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        received.push(decode(partition, message));
      },
    });
    await waitFor(() => received.length >= TOTAL, 30_000, {
      description: `${TOTAL} messages (have ${received.length})`,
    });
    // The group's progress reaches the end of every partition (auto-commit after each batch).
    await waitFor(
      async () => {
        const committed = await committedOffsets();
        const sum = [...committed.values()].reduce((total, offset) => total + Number(offset), 0);
        return sum === TOTAL;
      },
      15_000,
      { description: 'the group to commit the end of every partition' },
    );

    expect(received).toHaveLength(TOTAL);
    expect(new Set(received.map(id)).size).toBe(TOTAL);
    const byKey = seqsByKey(received);
    expect(byKey.size).toBe(KEYS);
    for (const [key, seqs] of byKey) {
      expect(seqs, `messages of ${key} in order, each once`).toEqual(range(0, PER_KEY));
      const partitions = new Set(received.filter((r) => r.key === key).map((r) => r.partition));
      expect(partitions.size, `${key} stays on one partition`).toBe(1);
    }
    expect(new Set(received.map((r) => r.partition)).size).toBe(PARTITIONS);
  });

  // At-least-once: a consumer commits after handling, so what it handled after its last commit
  // comes again to whoever resumes the group; nothing committed is delivered twice and nothing is
  // lost. Redelivered messages <= messages handled after the last commit.
  it.each([
    { handledAfterCommit: 0, what: 'commits after exactly half and stops' },
    {
      handledAfterCommit: 50,
      what: 'commits after exactly half, handles 50 more, dies uncommitted',
    },
  ])(
    'a new consumer in the group resumes from the committed offsets when the first $what',
    async ({ handledAfterCommit }) => {
      await produceAll();

      // First consumer: manual commits only.
      const first: Received[] = [];
      const handledUpTo = new Map<number, string>(); // partition -> next offset to handle
      let commitAtHalf: Map<number, string> | undefined;
      let commitDone = false; // the commit has returned, not only been asked for
      const consumerA = newConsumer();
      await consumerA.connect();
      await consumerA.subscribe({ topics: [topic], fromBeginning: true });
      await consumerA.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (first.length >= HALF + handledAfterCommit) return; // not handled, not committed
          first.push(decode(partition, message));
          handledUpTo.set(partition, (BigInt(message.offset) + 1n).toString());
          if (first.length === HALF) {
            commitAtHalf = new Map(handledUpTo);
            await consumerA.commitOffsets(
              [...commitAtHalf].map(([p, offset]) => ({ topic, partition: p, offset })),
            );
            commitDone = true;
          }
          if (first.length === HALF + handledAfterCommit) consumerA.pause([{ topic }]);
        },
      });
      await waitFor(() => first.length === HALF + handledAfterCommit && commitDone, 30_000, {
        description: `the first consumer to handle ${HALF + handledAfterCommit} messages`,
      });
      expect(await committedOffsets()).toEqual(commitAtHalf);
      const committedCount = [...(commitAtHalf ?? new Map<number, string>()).values()].reduce(
        (sum, offset) => sum + Number(offset),
        0,
      );
      expect(committedCount).toBe(HALF);
      await consumerA.disconnect();

      // A new consumer, same group: starts where the group's commits say.
      const second: Received[] = [];
      const consumerB = newConsumer();
      await consumerB.connect();
      await consumerB.subscribe({ topics: [topic], fromBeginning: true });
      await consumerB.run({
        eachMessage: async ({ partition, message }) => {
          second.push(decode(partition, message));
        },
      });
      await waitFor(() => second.length >= TOTAL - HALF, 30_000, {
        description: `the second consumer to receive ${TOTAL - HALF} messages (have ${second.length})`,
      });
      await waitFor(
        async () => {
          const committed = await committedOffsets();
          return [...committed.values()].reduce((sum, o) => sum + Number(o), 0) === TOTAL;
        },
        15_000,
        { description: 'the group to commit the end of every partition' },
      );

      // Nothing lost: together they saw all 1,000.
      const union = new Set([...first, ...second].map(id));
      expect(union.size).toBe(TOTAL);
      // The second consumer got exactly what lay past the commit, once each, in per-key order.
      expect(second).toHaveLength(TOTAL - HALF);
      expect(new Set(second.map(id)).size).toBe(TOTAL - HALF);
      const firstByKey = seqsByKey(first);
      for (const [key, seqs] of seqsByKey(second)) {
        const last = seqs[seqs.length - 1];
        expect(last, `${key} ends with its last message`).toBe(PER_KEY - 1);
        expect(seqs, `${key} resumes in order`).toEqual(range(PER_KEY - seqs.length, PER_KEY));
      }
      for (const [key, seqs] of firstByKey) {
        expect(seqs, `${key} starts in order`).toEqual(range(0, seqs.length));
      }
      // At-least-once, bounded: only what was handled after the last commit came again.
      const firstIds = new Set(first.map(id));
      const redelivered = second.filter((r) => firstIds.has(id(r)));
      expect(redelivered.length).toBeLessThanOrEqual(handledAfterCommit);
      expect(redelivered.length).toBe(handledAfterCommit);
    },
  );
});

describe('connectAdmin without a broker', () => {
  it('fails fast with a message that names the address and how to start the broker', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const brokers = [`127.0.0.1:${port}`];
    const kafka = kafkaFromEnv({ env: { KAFKA_BROKERS: brokers.join(',') }, logLevel: 'nothing' });

    const error = await connectAdmin(kafka, { brokers, timeoutMs: 500 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(KafkaUnreachableError);
    expect((error as Error).message).toContain(`unreachable at 127.0.0.1:${port}`);
    expect((error as Error).message).toContain('infra/kafka/start.sh');
    expect((error as Error).message).toContain('ECONNREFUSED');
  });
});
