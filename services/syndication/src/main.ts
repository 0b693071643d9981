/**
 * The syndication process on its own: PORT (default 8084), DATABASE_URL or PGlite in DATA_DIR,
 * TRANSPORT=kafka to read article events through its own consumer groups (and then, unless
 * PUBLIC_TOPIC=false, to send the public topic); its own settings in config.ts.
 */
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import type { Publisher } from '@newsroom/messaging';
import { Environment, environmentOrExit, runProcess } from '@newsroom/service-kit';
import { SyndicationEnvironment, syndicationConfigOrExit } from './config.js';
import { syndicationService } from './routes.js';

environmentOrExit([Environment, SyndicationEnvironment]);
const config = syndicationConfigOrExit(process.env);
const publisher: Publisher | undefined =
  config.publicTopic === undefined
    ? undefined
    : createPublisher(kafkaFromEnv({ clientId: 'newsroom-syndication' }));
await runProcess((deps) => [syndicationService(deps, config, publisher)], {
  port: 8084,
  resources:
    publisher === undefined ? [] : [{ name: 'kafka-public-topic', close: publisher.close }],
});
