/**
 * Syndication over HTTP, at /v1/feeds: what is public now, from its own read model kept by a
 * processor from article events (the store's log in one process, its consumer group over
 * Kafka). The full channels (RSS, Atom, JSON Feed, ninjs, webhooks, the public topic, the live
 * stream) build on the same events.
 */
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { publicArticlesProcessor, publicArticlesRouter } from './public-articles/index.js';
import { ninjsRouter } from './ninjs/routes.js';
import { feedsRouter } from './feeds/routes.js';
import type { FeedOptions } from './feeds/routes.js';
import type { NinjsOptions } from './documents/ninjs.js';

export const FEEDS = '/v1/feeds';

export interface SyndicationOptions extends NinjsOptions, FeedOptions {}

export const syndicationService = (
  deps: ServiceDeps,
  options: SyndicationOptions = {},
): ServiceDefinition => {
  const schema = deps.readModelSchema('syndication');
  return {
    name: 'syndication',
    routes: [
      [`${FEEDS}/articles`, publicArticlesRouter(deps.sql, schema)],
      [`${FEEDS}/ninjs`, ninjsRouter(deps.sql, schema)],
      [FEEDS, feedsRouter(deps.sql, schema, options)],
    ],
    processors: [publicArticlesProcessor(schema, options)],
  };
};
