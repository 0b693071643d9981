/** The drafting process on its own: PORT (default 8081), DATABASE_URL or PGlite in DATA_DIR. */
import { runProcess } from '@newsroom/service-kit';
import { draftingService } from './routes.js';

await runProcess((deps) => [draftingService(deps)], { port: 8081 });
