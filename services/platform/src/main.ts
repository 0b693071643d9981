/**
 * `npm start`: every service in one process on one port (PORT, default 8080). With
 * PUBLIC_TOPIC=true (and a broker at KAFKA_BROKERS) it also sends the public topic (articles
 * and tree heads).
 */
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import { runProcess } from '@newsroom/service-kit';
import { syndicationConfigOrExit } from '@newsroom/syndication';
import { auditConfigOrExit } from '@newsroom/audit';
import { allServices } from './index.js';

const syndication = syndicationConfigOrExit(process.env);
const audit = auditConfigOrExit(process.env);
const publisher =
  syndication.publicTopic === undefined
    ? undefined
    : createPublisher(kafkaFromEnv({ clientId: 'newsroom' }));
await runProcess(
  (deps) =>
    allServices(deps, { syndication, audit, ...(publisher === undefined ? {} : { publisher }) }),
  {
    port: 8080,
    resources:
      publisher === undefined ? [] : [{ name: 'kafka-public-topic', close: publisher.close }],
  },
);
