/**
 * Syndication, at /v1/feeds, /v1/stream and /v1/subscriptions: every channel built from the
 * service's own read models, kept by a processor from article events (the store's log in one
 * process, its consumer group over Kafka). What is public now (`/v1/feeds/articles`), ninjs
 * documents, RSS, Atom and JSON Feed, the live stream, and signed webhooks.
 */
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { syndicationConfig } from './config.js';
import type { SyndicationConfig } from './config.js';
import { feedsRouter } from './feeds/routes.js';
import { ninjsRouter } from './ninjs/routes.js';
import { publicArticlesProcessor, publicArticlesRouter } from './public-articles/index.js';
import { createStreamHub } from './stream/hub.js';
import { startLogClock } from './changes/log-clock.js';
import { streamRouter } from './stream/routes.js';
import { webhookSender } from './webhooks/sender.js';
import { publicTopicProcessor } from './public-topic/publisher.js';
import type { Publisher } from '@newsroom/messaging';
import { subscriptionsRouter } from './webhooks/routes.js';
import { syndicationApi } from './openapi.js';

export const FEEDS = '/v1/feeds';
export const STREAM = '/v1/stream';
export const SUBSCRIPTIONS = '/v1/subscriptions';

export const syndicationService = (
  deps: ServiceDeps,
  config: SyndicationConfig = syndicationConfig({}),
  /** Where the public topic goes, when `config.publicTopic` names one. */
  publisher?: Publisher,
): ServiceDefinition => {
  const schema = deps.readModelSchema('syndication');
  const clock = startLogClock(deps.sql, schema, config.stream.pollMs);
  const hub = createStreamHub(deps.sql, schema, { ...config.stream, head: clock.current });
  const sender = webhookSender({
    schema,
    sql: deps.sql,
    ...config.webhooks,
    ...(deps.registry === undefined ? {} : { registry: deps.registry }),
  });
  return {
    name: 'syndication',
    routes: [
      [`${FEEDS}/articles`, publicArticlesRouter(deps.sql, schema)],
      [`${FEEDS}/ninjs`, ninjsRouter(deps.sql, schema)],
      [FEEDS, feedsRouter(deps.sql, schema, config, clock)],
      [STREAM, streamRouter(hub)],
      [SUBSCRIPTIONS, subscriptionsRouter(deps.authenticator, deps.sql, schema, config.webhooks)],
    ],
    api: syndicationApi,
    processors: [
      publicArticlesProcessor(schema, config),
      sender.processor,
      ...(config.publicTopic === undefined || publisher === undefined
        ? []
        : [publicTopicProcessor({ schema, sql: deps.sql, publisher, topic: config.publicTopic })]),
    ],
    drain: hub.stop,
    // Before the processors stop: the sends in flight get their answers recorded.
    stop: async () => {
      clock.stop();
      await sender.drain();
    },
  };
};
