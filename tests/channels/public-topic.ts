/**
 * The public topic as a consumer reads it: a consumer group of its own from the topic's start,
 * each message's key, its value parsed as a ninjs document and its headers.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { arrivals } from './arrivals.js';

export interface TopicMessage {
  readonly key: string;
  readonly document: Record<string, unknown>;
  readonly headers: Record<string, string>;
  readonly at: number;
}

export const readPublicTopic = async (kafka: Kafka, topic: string) => {
  const consumer = kafka.consumer({
    groupId: `public-reader.${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  const messages: TopicMessage[] = [];
  const arrived = arrivals(messages, 'public topic');
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [name, h] of Object.entries(message.headers ?? {})) {
        if (h !== undefined) headers[name] = (Array.isArray(h) ? h[0] : h)?.toString() ?? '';
      }
      messages.push({
        key: message.key?.toString() ?? '',
        document: JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>,
        headers,
        at: performance.now(),
      });
      arrived.notify();
    },
  });
  return {
    messages,
    until: (predicate: (m: readonly TopicMessage[]) => boolean, timeoutMs = 30_000) =>
      arrived.until(predicate, timeoutMs),
    stop: () => consumer.disconnect(),
  };
};
