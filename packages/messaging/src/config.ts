// How every Kafka client of the project finds the broker (env KAFKA_BROKERS, default the local
// broker of infra/kafka) and the project's topics. The only place that builds a kafkajs client.
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaConfig, RetryOptions } from 'kafkajs';

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
