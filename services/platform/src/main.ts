/** `npm start`: every service in one process on one port (PORT, default 8080). */
import { runProcess } from '@newsroom/service-kit';
import { allServices } from './index.js';

await runProcess(allServices, { port: 8080 });
