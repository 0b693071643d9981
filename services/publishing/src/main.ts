/** The publishing process on its own: PORT (default 8083), DATABASE_URL or PGlite in DATA_DIR. */
import { runProcess } from '@newsroom/service-kit';
import { publishingService } from './routes.js';

await runProcess((deps) => [publishingService(deps)], { port: 8083 });
