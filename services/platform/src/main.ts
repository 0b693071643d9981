/** `npm start`: every service in one process on one port (PORT, default 8080). */
import { runProcess } from '@newsroom/service-kit';
import { syndicationConfig } from '@newsroom/syndication';
import { allServices } from './index.js';

let syndication;
try {
  syndication = syndicationConfig(process.env);
} catch (error) {
  console.error(
    JSON.stringify({ level: 'error', msg: 'invalid configuration', error: String(error) }),
  );
  process.exit(1);
}
await runProcess((deps) => allServices(deps, { syndication }), { port: 8080 });
