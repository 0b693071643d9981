/** The review process on its own: PORT (default 8082), DATABASE_URL or PGlite in DATA_DIR. */
import { runProcess } from '@newsroom/service-kit';
import { reviewService } from './routes.js';

await runProcess((deps) => [reviewService(deps)], { port: 8082 });
