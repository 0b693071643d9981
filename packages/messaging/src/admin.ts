// Topics and reachability: create a topic and wait for its leaders; connect an admin client
// once a broker answers, failing fast and clearly when none does.
import { connect } from 'node:net';
import { AssignerProtocol } from 'kafkajs';
import type { Admin, Kafka } from 'kafkajs';
import { brokersFromEnv, DEFAULT_KAFKA_BROKERS } from './config.js';
import { retryUntil, waitFor } from './wait.js';

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

/**
 * The partitions of `topic` each member of a consumer group holds now, by member id (a group
 * rebalancing or empty has none). What an operator, or a test, looks at to see the work split.
 */
export async function groupAssignments(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Readonly<Record<string, readonly number[]>>> {
  const { groups } = await admin.describeGroups([groupId]);
  const members = groups[0]?.state === 'Stable' ? groups[0].members : [];
  return Object.fromEntries(
    members.map((m) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      return [m.memberId, [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b)];
    }),
  );
}

/** How many messages of `topic` a consumer group has not committed yet, over all partitions
 *  (a partition it never committed counts from the topic's start). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [topic] }),
    admin.fetchTopicOffsets(topic),
  ]);
  const at = new Map(
    (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)] as const),
  );
  let lag = 0n;
  for (const end of ends) {
    const from = at.get(end.partition) ?? -1n;
    lag += BigInt(end.high) - (from < 0n ? BigInt(end.low) : from);
  }
  return Number(lag);
}
