/**
 * The audit process on its own: PORT (default 8085), DATABASE_URL or PGlite in DATA_DIR. It
 * reads the store directly; its processor grows the log's Merkle tree and signs tree heads
 * (settings in config.ts), and with the public topic on it sends them there.
 */
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import type { Publisher } from '@newsroom/messaging';
import { Environment, environmentOrExit, runProcess } from '@newsroom/service-kit';
import { AuditEnvironment, auditConfigOrExit } from './config.js';
import { auditService } from './routes.js';

environmentOrExit([Environment, AuditEnvironment]);
const config = auditConfigOrExit(process.env);
const publisher: Publisher | undefined =
  config.publicTopic === undefined
    ? undefined
    : createPublisher(kafkaFromEnv({ clientId: 'newsroom-audit' }));
await runProcess((deps) => [auditService(deps, config, publisher)], {
  port: 8085,
  resources: publisher === undefined ? [] : [{ name: 'kafka-tree-heads', close: publisher.close }],
});
