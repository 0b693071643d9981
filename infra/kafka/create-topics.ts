// Creates the project's topics on the broker at KAFKA_BROKERS (default 127.0.0.1:9092).
// Idempotent: a topic that exists is left as it is (its partition count is never changed, since
// that would move keys to other partitions and break per-key order).
//
//   npx tsx infra/kafka/create-topics.ts [--partitions N]
//
// Env: KAFKA_BROKERS, KAFKA_TOPIC_PARTITIONS (default 3; --partitions wins),
//      KAFKA_REPLICATION_FACTOR (default 1).
import {
  NEWSROOM_TOPICS,
  brokersFromEnv,
  connectAdmin,
  createTopic,
  kafkaFromEnv,
} from '@newsroom/messaging';

function positiveInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function partitionsArgument(argv: readonly string[]): string | undefined {
  const index = argv.findIndex((arg) => arg === '--partitions' || arg.startsWith('--partitions='));
  if (index < 0) return undefined;
  const arg = argv[index] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[index + 1] ?? '');
}

async function main(): Promise<void> {
  const fromArgs = partitionsArgument(process.argv.slice(2));
  const partitions =
    fromArgs !== undefined
      ? positiveInteger('--partitions', fromArgs, 3)
      : positiveInteger('KAFKA_TOPIC_PARTITIONS', process.env['KAFKA_TOPIC_PARTITIONS'], 3);
  const replicationFactor = positiveInteger(
    'KAFKA_REPLICATION_FACTOR',
    process.env['KAFKA_REPLICATION_FACTOR'],
    1,
  );
  const brokers = brokersFromEnv();
  const admin = await connectAdmin(kafkaFromEnv({ clientId: 'newsroom-create-topics' }), {
    brokers,
    timeoutMs: 30_000,
  });
  try {
    for (const name of Object.values(NEWSROOM_TOPICS)) {
      const topic = await createTopic(admin, name, partitions, { replicationFactor });
      const note =
        topic.partitions === partitions
          ? ''
          : ` (kept as it is; ${partitions} requested: a topic's partition count is never changed here)`;
      console.log(
        `${topic.created ? 'created' : 'exists '} ${name}: ${topic.partitions} partition(s)${note}`,
      );
    }
  } finally {
    await admin.disconnect();
  }
  console.log(`topics ready on ${brokers.join(',')}`);
}

try {
  await main();
} catch (error) {
  console.error(`create-topics: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
