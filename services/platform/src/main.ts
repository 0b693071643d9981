/**
 * `npm start`: every service in one process on one port (PORT, default 8080), an index page
 * at `/` and the same links printed once it is ready. With
 * PUBLIC_TOPIC=true (and a broker at KAFKA_BROKERS) it also sends the public topic (articles
 * and tree heads).
 */
import { createPublisher, kafkaFromEnv } from '@newsroom/messaging';
import { Environment, environmentOrExit, runProcess } from '@newsroom/service-kit';
import { SyndicationEnvironment, syndicationConfigOrExit } from '@newsroom/syndication';
import { AuditEnvironment, auditConfigOrExit } from '@newsroom/audit';
import { banner } from './home.js';
import { allServices } from './index.js';

environmentOrExit([Environment, SyndicationEnvironment, AuditEnvironment]);
const syndication = syndicationConfigOrExit(process.env);
const audit = auditConfigOrExit(process.env);
const publisher =
  syndication.publicTopic === undefined
    ? undefined
    : createPublisher(kafkaFromEnv({ clientId: 'newsroom' }));
const { url, log } = await runProcess(
  (deps) =>
    allServices(deps, { syndication, audit, ...(publisher === undefined ? {} : { publisher }) }),
  {
    port: 8080,
    resources:
      publisher === undefined ? [] : [{ name: 'kafka-public-topic', close: publisher.close }],
  },
);
// The links once more for whoever started it: one JSON line for the logs, and readable lines
// on a terminal.
log({ level: 'info', msg: 'ready', banner: banner(url) });
if (process.stdout.isTTY) console.log(banner(url).join('\n'));
