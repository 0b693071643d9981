/** The syndication process on its own: PORT (default 8084), DATABASE_URL or PGlite in
 *  DATA_DIR, TRANSPORT=kafka to read article events through its own consumer group. */
import { runProcess } from '@newsroom/service-kit';
import { syndicationService } from './routes.js';

await runProcess((deps) => [syndicationService(deps)], { port: 8084 });
