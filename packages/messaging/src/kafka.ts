// The one place that builds kafkajs clients: tests, scripts, benchmarks and services take their
// Kafka from here so that every producer is idempotent and keyed, and every client finds the
// broker the same way (env KAFKA_BROKERS, default the local broker of infra/kafka).
import { connect } from 'node:net';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type {
  Admin,
  IHeaders,
  KafkaConfig,
  Producer,
  ProducerConfig,
  RecordMetadata,
} from 'kafkajs';
import type { RetryOptions } from 'kafkajs';

export type {
  Admin,
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  EachMessagePayload,
  Kafka,
  KafkaMessage,
  Producer,
  RecordMetadata,
} from 'kafkajs';

/** The broker started by `bash infra/kafka/start.sh` with its default ports. */
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';

/** The project's topics (see DESIGN.md, "Kafka"). Every message on them is keyed. */
export const NEWSROOM_TOPICS = {
  /** every event, in stream order per key; key: article id */
  articleEvents: 'newsroom.article-events.v1',
  /** public ninjs documents; key: article URI */
  syndication: 'newsroom.syndication.v1',
  /** messages a consumer could not handle, with the reason; key: the original key */
  deadLetters: 'newsroom.dead-letters.v1',
} as const;
export type NewsroomTopic = (typeof NEWSROOM_TOPICS)[keyof typeof NEWSROOM_TOPICS];

export type Env = Readonly<Record<string, string | undefined>>;
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

const LOG_LEVELS: Readonly<Record<KafkaLogLevel, logLevel>> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

const isLogLevel = (value: string): value is KafkaLogLevel => Object.hasOwn(LOG_LEVELS, value);

/** `host:port` list from KAFKA_BROKERS (comma separated), default 127.0.0.1:9092. */
export function brokersFromEnv(env: Env = process.env): string[] {
  const raw = env['KAFKA_BROKERS']?.trim();
  const brokers = (raw ? raw : DEFAULT_KAFKA_BROKERS)
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  for (const broker of brokers) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(broker)) {
      throw new Error(`KAFKA_BROKERS: "${broker}" is not host:port (value: "${raw ?? ''}")`);
    }
  }
  return brokers;
}

export interface KafkaFromEnvOptions {
  /** kafkajs clientId; default env KAFKA_CLIENT_ID, else "newsroom". */
  readonly clientId?: string;
  /** Default env KAFKA_LOG_LEVEL, else "error" (kafkajs is chatty at info). */
  readonly logLevel?: KafkaLogLevel;
  /** Where to read KAFKA_* from; default process.env. */
  readonly env?: Env;
  /** TCP connect timeout per attempt, ms; default 3000. */
  readonly connectionTimeout?: number;
  /** kafkajs retry policy for every client of this instance; default kafkajs' own. */
  readonly retry?: RetryOptions;
}

/** A kafkajs client configured from the environment (KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_LOG_LEVEL). */
export function kafkaFromEnv(options: KafkaFromEnvOptions = {}): Kafka {
  const env = options.env ?? process.env;
  const envLevel = env['KAFKA_LOG_LEVEL']?.trim().toLowerCase();
  const level = options.logLevel ?? (envLevel && isLogLevel(envLevel) ? envLevel : 'error');
  const config: KafkaConfig = {
    clientId: options.clientId ?? env['KAFKA_CLIENT_ID'] ?? 'newsroom',
    brokers: brokersFromEnv(env),
    logLevel: LOG_LEVELS[level],
    connectionTimeout: options.connectionTimeout ?? 3000,
    ...(options.retry ? { retry: options.retry } : {}),
  };
  return new Kafka(config);
}

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

export interface CreateTopicOptions {
  /** Default 1 (the local broker is a single node). */
  readonly replicationFactor?: number;
  readonly configEntries?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** How long the broker may take to create it and elect leaders, ms; default 30000. */
  readonly timeoutMs?: number;
}

export interface TopicState {
  readonly name: string;
  /** The partition count the topic has now (an existing topic keeps its own). */
  readonly partitions: number;
  /** false when the topic existed already. */
  readonly created: boolean;
}

/**
 * Creates a topic and waits until every partition has a leader. Idempotent: a topic that exists
 * already is left as it is and reported with `created: false` and its own partition count.
 */
export async function createTopic(
  admin: Admin,
  name: string,
  partitions: number,
  options: CreateTopicOptions = {},
): Promise<TopicState> {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(
      `createTopic(${name}): partitions must be a positive integer, got ${partitions}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Look first: asking to create an existing topic makes kafkajs log an error line.
  const exists = (await admin.listTopics()).includes(name);
  const created =
    !exists &&
    (await admin.createTopics({
      topics: [
        {
          topic: name,
          numPartitions: partitions,
          replicationFactor: options.replicationFactor ?? 1,
          configEntries: (options.configEntries ?? []).map(({ name: key, value }) => ({
            name: key,
            value,
          })),
        },
      ],
      waitForLeaders: true,
      timeout: timeoutMs,
    }));
  // createTopics waits for leaders only when it created the topic; check in both cases.
  const topic = await waitFor(
    async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [name] });
      const found = topics.find((candidate) => candidate.name === name);
      return found && found.partitions.every((partition) => partition.leader >= 0)
        ? found
        : undefined;
    },
    timeoutMs,
    { description: `leaders for every partition of ${name}`, intervalMs: 100 },
  );
  return { name, partitions: topic.partitions.length, created };
}

export interface WaitOptions {
  /** Named in the timeout error: "timed out after N ms waiting for <description>". */
  readonly description?: string;
  /** Pause between two checks, ms; default 25. */
  readonly intervalMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Polls `condition` until it returns a value other than undefined, null or false, and returns
 * that value; throws {@link WaitTimeoutError} after `timeoutMs`. An error thrown by the condition
 * is not retried: it ends the wait (use {@link retryUntil} for operations that may fail).
 */
export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const intervalMs = options.intervalMs ?? 25;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new WaitTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${options.description ?? 'a condition'}`,
      );
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/**
 * Runs `attempt` until it resolves, pausing between failures (100 ms, doubling up to 1 s), and
 * returns its result. After `timeoutMs` it stops, also cutting short an attempt still running,
 * and throws a {@link WaitTimeoutError} that carries the last failure as its cause.
 */
export async function retryUntil<T>(
  attempt: () => Promise<T>,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let pauseMs = options.intervalMs ?? 100;
  let lastError: unknown = undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), remaining);
    });
    const running = attempt().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    const outcome = await Promise.race([running, expired]);
    clearTimeout(timer);
    if (outcome === 'expired') break;
    if (outcome.ok) return outcome.value;
    lastError = outcome.error;
    await sleep(Math.min(pauseMs, Math.max(0, deadline - Date.now())));
    pauseMs = Math.min(pauseMs * 2, 1000);
  }
  const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new WaitTimeoutError(
    `timed out after ${timeoutMs} ms waiting for ${options.description ?? 'an operation'}${reason}`,
    { cause: lastError },
  );
}

/** Thrown when no broker answers: says where it looked and how to start one. */
export class KafkaUnreachableError extends Error {
  override readonly name = 'KafkaUnreachableError';
  constructor(
    readonly brokers: readonly string[],
    cause: unknown,
  ) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(
      `Kafka broker unreachable at ${brokers.join(',')} (env KAFKA_BROKERS; default ` +
        `${DEFAULT_KAFKA_BROKERS}). Start the local broker with \`bash infra/kafka/start.sh\`. ` +
        `Cause: ${detail}`,
      { cause },
    );
  }
}

export interface ConnectAdminOptions {
  /** Give up after this long, ms; default 15000. */
  readonly timeoutMs?: number;
  /** The brokers `kafka` was built with; default brokersFromEnv(). Checked with a plain TCP connect. */
  readonly brokers?: readonly string[];
}

/** Resolves once one of `brokers` accepts a TCP connection; rejects with the last socket error. */
async function tcpReachable(brokers: readonly string[], timeoutMs: number): Promise<void> {
  let lastError: unknown = new Error('no brokers given');
  for (const broker of brokers) {
    const separator = broker.lastIndexOf(':');
    const host = broker.slice(0, separator);
    const port = Number(broker.slice(separator + 1));
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host, port, timeout: timeoutMs });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('timeout', () => {
          socket.destroy();
          reject(new Error(`connect to ${broker} timed out after ${timeoutMs} ms`));
        });
        socket.once('error', (error) => {
          socket.destroy();
          reject(error);
        });
      });
      return;
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Connects an admin client once a broker answers: first a quiet TCP check of `brokers` (retried,
 * so that an absent broker fails fast and without kafkajs' retry logs), then admin.connect() and
 * describeCluster(). Throws {@link KafkaUnreachableError} after `timeoutMs`.
 */
export async function connectAdmin(
  kafka: Kafka,
  options: ConnectAdminOptions = {},
): Promise<Admin> {
  const brokers = options.brokers ?? brokersFromEnv();
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  try {
    await retryUntil(() => tcpReachable(brokers, 2000), deadline - Date.now(), {
      description: `a TCP connection to ${brokers.join(',')}`,
    });
  } catch (error) {
    throw new KafkaUnreachableError(brokers, error);
  }
  const admin = kafka.admin();
  try {
    await retryUntil(
      async () => {
        await admin.connect();
        await admin.describeCluster();
      },
      Math.max(deadline - Date.now(), 1000),
      { description: 'admin.connect() and describeCluster()' },
    );
    return admin;
  } catch (error) {
    await admin.disconnect().catch(() => undefined);
    throw new KafkaUnreachableError(brokers, error);
  }
}
