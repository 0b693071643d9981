// Readiness probe run by start.sh: the broker is ready when a client can connect, describe the
// cluster, create a topic with leaders elected and write a keyed message to it. An open port or
// the "Kafka Server started" log line alone is not enough.
//
//   KAFKA_BROKERS=127.0.0.1:9092 KAFKA_PROBE_TIMEOUT_MS=60000 npx tsx infra/kafka/probe.ts
//
// Prints one JSON line and exits 0 when ready; exits 1 with the last error after the timeout.
import {
  brokersFromEnv,
  createProducer,
  createTopic,
  kafkaFromEnv,
  retryUntil,
  sendKeyed,
} from '@newsroom/messaging';
import type { Admin, Producer } from 'kafkajs';

const PROBE_TOPIC = 'newsroom.readiness-probe';

async function probe(timeoutMs: number): Promise<Record<string, unknown>> {
  const startedAt = performance.now();
  // Quiet: refused connections are expected while the broker finishes starting.
  const kafka = kafkaFromEnv({
    clientId: 'newsroom-readiness-probe',
    logLevel: 'nothing',
    connectionTimeout: 1000,
    // Few retries inside kafkajs: this loop does the retrying. An idempotent producer needs >= 1.
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  let attempts = 0;
  return retryUntil(
    async () => {
      attempts += 1;
      const admin: Admin = kafka.admin();
      let producer: Producer | undefined;
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        const topic = await createTopic(admin, PROBE_TOPIC, 1, { timeoutMs: 10_000 });
        producer = createProducer(kafka);
        await producer.connect();
        await sendKeyed(producer, PROBE_TOPIC, [{ key: 'probe', value: new Date().toISOString() }]);
        return {
          ready: true,
          brokers: cluster.brokers.map(({ host, port }) => `${host}:${port}`),
          clusterId: cluster.clusterId,
          controller: cluster.controller,
          probeTopic: { ...topic },
          attempts,
          probeMs: Math.round(performance.now() - startedAt),
        };
      } finally {
        await producer?.disconnect().catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    },
    timeoutMs,
    { description: `a ready Kafka broker at ${brokersFromEnv().join(',')}`, intervalMs: 200 },
  );
}

const timeoutMs = Number(process.env['KAFKA_PROBE_TIMEOUT_MS'] ?? 60_000);
try {
  console.log(JSON.stringify(await probe(timeoutMs)));
  process.exit(0);
} catch (error) {
  console.error(
    `readiness probe failed: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
