/** The audit process on its own: PORT (default 8085), DATABASE_URL or PGlite in DATA_DIR. It
 *  reads the store directly and runs no processor. */
import { runProcess } from '@newsroom/service-kit';
import { auditService } from './routes.js';

await runProcess((deps) => [auditService(deps)], { port: 8085 });
