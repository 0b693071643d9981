/**
 * `npm start`: every service in one process on one port (PORT, default 8080). With
 * PUBLIC_TOPIC=true (and a broker at KAFKA_BROKERS) it also sends the public topic.
 */
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import { runProcess } from '@newsroom/service-kit';
import { syndicationConfigOrExit } from '@newsroom/syndication';
import { allServices } from './index.js';

const syndication = syndicationConfigOrExit(process.env);
const publisher =
  syndication.publicTopic === undefined
    ? undefined
    : createPublisher(kafkaFromEnv({ clientId: 'newsroom' }));
await runProcess(
  (deps) => allServices(deps, { syndication, ...(publisher === undefined ? {} : { publisher }) }),
  {
    port: 8080,
    resources:
      publisher === undefined ? [] : [{ name: 'kafka-public-topic', close: publisher.close }],
  },
);
