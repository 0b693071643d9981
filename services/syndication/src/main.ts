/** The syndication process on its own: PORT (default 8084), DATABASE_URL or PGlite in
 *  DATA_DIR, TRANSPORT=kafka to read article events through its own consumer group; its own
 *  settings in config.ts. */
import { runProcess } from '@newsroom/service-kit';
import { syndicationConfig } from './config.js';
import { syndicationService } from './routes.js';

let config;
try {
  config = syndicationConfig(process.env);
} catch (error) {
  console.error(
    JSON.stringify({ level: 'error', msg: 'invalid configuration', error: String(error) }),
  );
  process.exit(1);
}
await runProcess((deps) => [syndicationService(deps, config)], { port: 8084 });
