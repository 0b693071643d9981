/**
 * Reads a topic from its start with a consumer group of its own, for tests and benchmarks:
 * every article-event message decoded by the contract codec (a message that does not decode
 * fails the reader), with its partition, offset and when it arrived.
 */
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Kafka } from 'kafkajs';
import { decodeArticleEventMessage } from '@newsroom/contracts';
import type { ArticleEventMessage } from '@newsroom/contracts';
import { arrivals } from './channels/arrivals.js';

export interface Received {
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Record<string, string>;
  readonly message: ArticleEventMessage;
  /** performance.now() when it arrived. */
  readonly at: number;
}

export interface TopicReader {
  readonly received: Received[];
  /** Undecodable values seen (a reader of the relay's topic expects none). */
  readonly undecodable: string[];
  /** Resolves once `count` distinct events arrived (a resent one counts once; rejects after
   *  `timeoutMs`). */
  readonly until: (count: number, timeoutMs?: number) => Promise<void>;
  readonly stop: () => Promise<void>;
}

export const readTopic = async (kafka: Kafka, topic: string): Promise<TopicReader> => {
  const consumer = kafka.consumer({
    groupId: `reader.${randomUUID()}`,
    maxWaitTimeInMs: 100,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const received: Received[] = [];
  const undecodable: string[] = [];
  const arrived = arrivals(received, `events on ${topic}`);
  const distinct = new Set<string>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const value = message.value?.toString() ?? '';
      const decoded = decodeArticleEventMessage(JSON.parse(value) as unknown);
      if (E.isLeft(decoded)) undecodable.push(`${decoded.left}: ${value.slice(0, 200)}`);
      else {
        const headers: Record<string, string> = {};
        for (const [name, h] of Object.entries(message.headers ?? {})) {
          if (h !== undefined) headers[name] = (Array.isArray(h) ? h[0] : h)?.toString() ?? '';
        }
        distinct.add(decoded.right.eventId);
        received.push({
          key: message.key?.toString() ?? '',
          partition,
          offset: message.offset,
          headers,
          message: decoded.right,
          at: performance.now(),
        });
      }
      arrived.notify();
    },
  });
  return {
    received,
    undecodable,
    until: (count, timeoutMs = 60_000) => arrived.until(() => distinct.size >= count, timeoutMs),
    stop: () => consumer.disconnect(),
  };
};

/** Per key, the revisions in arrival order. */
export const revisionsByKey = (received: readonly Received[]): Map<string, number[]> => {
  const byKey = new Map<string, number[]>();
  for (const r of received) {
    const list = byKey.get(r.key) ?? [];
    list.push(Number(r.message.revision));
    byKey.set(r.key, list);
  }
  return byKey;
};
