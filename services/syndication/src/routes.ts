/**
 * Syndication over HTTP, at /v1/feeds: what is public now, from its own read model kept by a
 * processor from article events (the store's log in one process, its consumer group over
 * Kafka). The full channels (RSS, Atom, JSON Feed, ninjs, webhooks, the public topic, the live
 * stream) build on the same events.
 */
import type { ServiceDeps, ServiceDefinition } from '@newsroom/service-kit';
import { publicArticlesProcessor, publicArticlesRouter } from './public-articles/index.js';

export const FEEDS = '/v1/feeds';

export const syndicationService = (deps: ServiceDeps): ServiceDefinition => {
  const schema = deps.readModelSchema('syndication');
  return {
    name: 'syndication',
    routes: [[`${FEEDS}/articles`, publicArticlesRouter(deps.sql, schema)]],
    processors: [publicArticlesProcessor(schema)],
  };
};
