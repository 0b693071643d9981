/**
 * The relay process: PORT (default 8086), DATABASE_URL (a PostgreSQL server: several relay
 * processes then share one lock, and exactly one publishes), KAFKA_BROKERS. Serves /healthz,
 * /readyz and /metrics only.
 */
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import { runProcess } from '@newsroom/service-kit';
import { Registry } from 'prom-client';
import { relayService } from './service.js';

const registry = new Registry();
const publisher = createPublisher(kafkaFromEnv({ clientId: 'newsroom-relay' }));

await runProcess((deps) => [relayService(deps, { publisher, registry })], {
  port: 8086,
  registry,
  resources: [{ name: 'kafka-publisher', close: publisher.close }],
});
