// Producers: idempotent and keyed, always. `createPublisher` is the package's own face of
// one: services send through it and never see a kafkajs type.
import { Partitioners } from 'kafkajs';
import type { IHeaders, Kafka, Producer, ProducerConfig, RecordMetadata } from 'kafkajs';

/** Producer settings the project never departs from: no duplicates on retry, order kept per partition. */
export const PRODUCER_DEFAULTS = {
  idempotent: true,
  maxInFlightRequests: 1,
  allowAutoTopicCreation: false,
  // The partitioner kafkajs 2.x uses anyway (murmur2 on the key, like the Java client);
  // naming it keeps kafkajs from printing its partitioner warning.
  createPartitioner: Partitioners.DefaultPartitioner,
} as const satisfies ProducerConfig;

export type ProducerOptions = Omit<ProducerConfig, keyof typeof PRODUCER_DEFAULTS>;

/** An idempotent producer (`{ idempotent: true, maxInFlightRequests: 1 }`). Send with {@link sendKeyed}. */
export function createProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  return kafka.producer({ ...options, ...PRODUCER_DEFAULTS });
}

export interface KeyedMessage {
  /** The ordering key (the article id on the article-events topic); never empty. */
  readonly key: string | Buffer;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  readonly timestamp?: string;
}

/**
 * Sends messages that all carry a key: one key, one partition, one order. Await it before the
 * next send on the same producer (an idempotent producer keeps order only for sends in sequence).
 */
export async function sendKeyed(
  producer: Producer,
  topic: string,
  messages: readonly KeyedMessage[],
): Promise<RecordMetadata[]> {
  messages.forEach((message, index) => {
    if (message.key.length === 0) {
      throw new TypeError(`sendKeyed(${topic}): message ${index} has an empty key`);
    }
  });
  return producer.send({ topic, messages: messages.map((message) => ({ ...message })) });
}

/** A message as a service hands it over: keyed, text, headers as text. */
export interface OutgoingMessage {
  readonly key: string;
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The package's own producer: the only face of one services see. */
export interface Publisher {
  /**
   * Sends `messages` to `topic` in one request, in their order (per key), and resolves once the
   * broker acknowledged every one (acks from all in-sync replicas). Sends are queued: one at a
   * time, in call order. After a failure the next send connects afresh.
   */
  send(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** An idempotent, keyed publisher on `kafka` (connected on first send). */
export const createPublisher = (kafka: Kafka, options: ProducerOptions = {}): Publisher => {
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const connected = (): Promise<Producer> => {
    connecting ??= (async () => {
      const fresh = createProducer(kafka, options);
      await fresh.connect();
      producer = fresh;
      return fresh;
    })().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };
  const reset = async (): Promise<void> => {
    const old = producer;
    producer = undefined;
    connecting = undefined;
    await old?.disconnect().catch(() => undefined);
  };
  const sendNow = async (topic: string, messages: readonly OutgoingMessage[]) => {
    if (messages.length === 0) return;
    try {
      await sendKeyed(
        await connected(),
        topic,
        messages.map((m) => ({
          key: m.key,
          value: m.value,
          ...(m.headers === undefined ? {} : { headers: { ...m.headers } }),
        })),
      );
    } catch (error) {
      await reset();
      throw error;
    }
  };
  return {
    send: (topic, messages) => {
      const sent = queue.then(() => sendNow(topic, messages));
      queue = sent.catch(() => undefined);
      return sent;
    },
    close: async () => {
      await queue;
      await reset();
    },
  };
};
