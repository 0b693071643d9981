/**
 * The same truth on every channel: the seed article embargoed, released, corrected and
 * retracted, checked at each step on the feeds, ninjs, a webhook receiver, the live stream and
 * the public topic; on `npm start`'s wiring (one process, the store's own log) and over Kafka
 * (separate processes).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connectAdmin, createPublisher, createTopic, kafkaFromEnv } from '@newsroom/messaging';
import type { Publisher } from '@newsroom/messaging';
import { syndicationConfig } from '@newsroom/syndication';
import { runChannelStory } from '../channels/story.js';
import { startTestCluster } from './cluster.js';
import type { TestCluster } from './cluster.js';
import { databaseUrl, startTestSystem } from './harness.js';
import type { TestSystem } from './harness.js';
import type { Role } from '@newsroom/service-kit';

const BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const kafka = kafkaFromEnv({ clientId: 'channels-e2e', logLevel: 'nothing' });

const newTopic = async () => {
  const topic = `e2e.syndication.${randomUUID()}`;
  const admin = await connectAdmin(kafka);
  await createTopic(admin, topic, 3);
  await admin.disconnect();
  return topic;
};

const SETTINGS = {
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true', // the receiver is on loopback
  WEBHOOK_RETRY_SCHEDULE_MS: '0,200,400',
  PUBLIC_TOPIC: 'true',
};

describe('every channel, one process (embedded transport)', () => {
  let sys: TestSystem;
  let publisher: Publisher;
  let topic: string;
  beforeAll(async () => {
    topic = await newTopic();
    publisher = createPublisher(kafka);
    sys = await startTestSystem('postgres', undefined, {
      schedulerIntervalMs: 100,
      syndication: syndicationConfig({ ...SETTINGS, SYNDICATION_TOPIC: topic }),
      publisher,
    });
  });
  afterAll(async () => {
    await sys?.stop();
    await publisher?.close();
  });

  it('embargoed, released, corrected and retracted: every channel says the same', async () => {
    await runChannelStory({
      url: () => sys.url,
      token: (role, sub) => sys.token(role as Role, sub),
      kafka,
      publicTopic: topic,
    });
  });
});

describe('every channel, separate processes over Kafka', () => {
  let cluster: TestCluster;
  let topic: string;
  beforeAll(async () => {
    topic = await newTopic();
    cluster = await startTestCluster({
      databaseUrl: databaseUrl(),
      brokers: BROKERS,
      instances: { audit: 0 },
      env: { ...SETTINGS, SYNDICATION_TOPIC: topic },
    });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('embargoed, released, corrected and retracted: every channel says the same', async () => {
    await runChannelStory({
      url: (s) => cluster.url(s),
      token: cluster.token,
      kafka,
      publicTopic: topic,
    });
  });
});
