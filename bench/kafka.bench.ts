// npm run bench:kafka — prints JSON:
// - brokerStart: how long the local broker took from launch to ready, as measured by
//   infra/kafka/start.sh and written to infra/kafka/run/last-start.json (this script does not
//   start a broker: it reads what the last start measured);
// - produceToConsume: latency from just before producer.send() to eachMessage in a consumer
//   group, on loopback, for 1,000 keyed messages (50 keys, 3 partitions, idempotent producer)
//   in three runs: "paced" (one message per send, a send every 10 ms: latency without a queue),
//   "backToBack" (one message per awaited send, no pause) and "burst" (1,000 in one send).
// Needs the broker at KAFKA_BROKERS (default 127.0.0.1:9092): bash infra/kafka/start.sh
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  brokersFromEnv,
  connectAdmin,
  createProducer,
  createTopic,
  kafkaFromEnv,
  sendKeyed,
  waitFor,
} from '@newsroom/messaging';
import type { KeyedMessage } from '@newsroom/messaging';
import type { Consumer, Producer } from 'kafkajs';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] = '1';

const MESSAGES = 1_000;
const KEYS = 50;
const PARTITIONS = 3;
const WARMUP = 100;
const PACE_MS = 10;
const LAST_START = fileURLToPath(new URL('../infra/kafka/run/last-start.json', import.meta.url));

interface Stats {
  readonly messages: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly msgsPerSec: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (ms: number): number => Math.round(ms * 100) / 100;

function stats(latencies: readonly number[], elapsedMs: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return {
    messages: sorted.length,
    p50Ms: round(rank(0.5)),
    p99Ms: round(rank(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    meanMs: round(sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length),
    msgsPerSec: Math.round((sorted.length / elapsedMs) * 1000),
  };
}

async function brokerStart(brokers: readonly string[]): Promise<Record<string, unknown> | null> {
  try {
    const start = JSON.parse(await readFile(LAST_START, 'utf8')) as Record<string, unknown>;
    return {
      source: 'infra/kafka/run/last-start.json (written by infra/kafka/start.sh)',
      kafkaVersion: start['kafkaVersion'],
      startedAt: start['startedAt'],
      brokers: start['brokers'],
      sameBrokerAsThisRun: brokers.includes(String(start['brokers'])),
      formatMs: start['formatMs'],
      launchToLogLineMs: start['launchToLogLineMs'],
      launchToReadyMs: start['launchToReadyMs'],
      totalMs: start['totalMs'],
    };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const brokers = brokersFromEnv();
  const kafka = kafkaFromEnv({ clientId: 'newsroom-bench-kafka' });
  const admin = await connectAdmin(kafka, { brokers, timeoutMs: 15_000 });
  const topic = `bench.kafka.${randomUUID()}`;
  const clients: Array<Producer | Consumer> = [];
  try {
    await createTopic(admin, topic, PARTITIONS);
    const producer = createProducer(kafka);
    clients.push(producer);
    await producer.connect();

    // seq -> send time, receive time (performance.now(), one process, one clock)
    const sentAt = new Map<number, number>();
    const receivedAt = new Map<number, number>();
    const consumer = kafka.consumer({
      groupId: `bench.kafka.${randomUUID()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
    });
    clients.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        receivedAt.set(Number(message.value?.toString()), performance.now());
      },
    });

    let next = 0;
    const message = (seq: number): KeyedMessage => ({
      key: `article-${seq % KEYS}`,
      value: String(seq),
    });

    // Warm-up (not measured): group join, connections, JIT.
    const warmup = Array.from({ length: WARMUP }, () => message(next++));
    await sendKeyed(producer, topic, warmup);
    await waitFor(() => receivedAt.size >= WARMUP, 30_000, { description: 'warm-up messages' });

    /** Sends MESSAGES messages, `perSend` per awaited send, pausing `gapMs` between sends. */
    const scenario = async (perSend: number, gapMs: number): Promise<Stats> => {
      const seqs: number[] = [];
      const received = receivedAt.size;
      const startedAt = performance.now();
      while (seqs.length < MESSAGES) {
        const batch = Array.from({ length: Math.min(perSend, MESSAGES - seqs.length) }, () =>
          message(next++),
        );
        const sendAt = performance.now();
        for (const { value } of batch) {
          seqs.push(Number(value));
          sentAt.set(Number(value), sendAt);
        }
        await sendKeyed(producer, topic, batch);
        if (gapMs > 0) await sleep(gapMs);
      }
      await waitFor(() => receivedAt.size >= received + MESSAGES, 60_000, {
        description: `${MESSAGES} messages at the consumer`,
      });
      const endedAt = Math.max(...seqs.map((seq) => receivedAt.get(seq) ?? NaN));
      const latency = (seq: number): number =>
        (receivedAt.get(seq) ?? NaN) - (sentAt.get(seq) ?? NaN);
      return stats(seqs.map(latency), endedAt - startedAt);
    };

    // paced: one message per send every 10 ms (~100 msgs/s offered): latency without a queue.
    const paced = await scenario(1, PACE_MS);
    // back-to-back: one message per awaited send, no pause: one producer's top rate.
    const backToBack = await scenario(1, 0);
    // burst: all 1,000 in one send.
    const burst = await scenario(MESSAGES, 0);

    const require = createRequire(import.meta.url);
    const kafkajsVersion = (require('kafkajs/package.json') as { version: string }).version;

    const result = {
      bench: 'kafka',
      at: new Date().toISOString(),
      node: process.version,
      kafkajs: kafkajsVersion,
      cpus: cpus().length,
      brokers,
      brokerStart: await brokerStart(brokers),
      produceToConsume: {
        what: 'ms from just before producer.send() to eachMessage, same process, loopback',
        msgsPerSec: 'messages / (first send to last receive)',
        topicPartitions: PARTITIONS,
        keys: KEYS,
        producer: 'idempotent, maxInFlightRequests 1, acks all',
        consumer: 'one consumer group member, kafkajs defaults (partitionsConsumedConcurrently 1)',
        paced: { ...paced, offered: `1 message per send, one send every ${PACE_MS} ms` },
        backToBack: { ...backToBack, offered: '1 message per awaited send, no pause' },
        burst: { ...burst, offered: `${MESSAGES} messages in one send` },
      },
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await Promise.allSettled(clients.reverse().map((client) => client.disconnect()));
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

try {
  await main();
} catch (error) {
  console.error(`bench:kafka: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
