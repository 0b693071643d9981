/**
 * The relay process: PORT (default 8086), DATABASE_URL (a PostgreSQL server: several relay
 * processes then share one lock, and exactly one publishes), KAFKA_BROKERS, ARTICLE_EVENTS_TOPIC
 * (default newsroom.article-events.v1). Serves /healthz, /readyz and /metrics only.
 */
import { ARTICLE_EVENTS_TOPIC } from '@newsroom/contracts';
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import { Environment, environmentOrExit, runProcess } from '@newsroom/service-kit';
import { Registry } from 'prom-client';
import { relayService } from './service.js';

environmentOrExit([Environment]);
const topic = process.env['ARTICLE_EVENTS_TOPIC'] || ARTICLE_EVENTS_TOPIC;
if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic)) {
  console.error(
    JSON.stringify({ level: 'error', msg: 'ARTICLE_EVENTS_TOPIC is not a topic name', topic }),
  );
  process.exit(1);
}
const registry = new Registry();
const publisher = createPublisher(kafkaFromEnv({ clientId: 'newsroom-relay' }));

await runProcess((deps) => [relayService(deps, { publisher, registry, topic })], {
  port: 8086,
  registry,
  resources: [{ name: 'kafka-publisher', close: publisher.close }],
});
