/**
 * `npm run start:cluster`: the real topology on one machine. PostgreSQL (the machine's server,
 * or a throwaway cluster from infra/postgres), a Kafka broker (started from infra/kafka when none
 * answers, and stopped again at the end), the project's topics, then the six processes as
 * separate OS processes, each with its log file. Prints each process, its URL and its log, waits
 * until every /readyz answers, and stops them all on Ctrl-C.
 *
 * Env: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), KAFKA_BROKERS
 * (default 127.0.0.1:9092), CLUSTER_LOG_DIR (default .data/cluster/logs), CLUSTER_BASE_PORT
 * (unset: each process's own port, 8081..8086; set: base, base + 1, ... in table order),
 * JWT_SECRET (default: the development secret), and whatever else the services read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { startServiceProcess } from './process.js';
import type { ServiceProcess } from './process.js';
import { TOPOLOGY } from './topology.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const KAFKA_BROKERS = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
const LOG_DIR = resolve(process.env['CLUSTER_LOG_DIR'] ?? join(ROOT, '.data/cluster/logs'));
const BASE_PORT = process.env['CLUSTER_BASE_PORT'];
if (
  BASE_PORT !== undefined &&
  !(/^\d{4,5}$/.test(BASE_PORT) && Number(BASE_PORT) >= 1000 && Number(BASE_PORT) <= 65529)
) {
  console.error('start:cluster: CLUSTER_BASE_PORT must be a port number (1000..65529)');
  process.exit(1);
}

const say = (text: string) => console.log(`start:cluster: ${text}`);

const reachable = (hostPort: string): Promise<boolean> => {
  const [host = '127.0.0.1', port = '0'] = hostPort.split(':');
  return new Promise((done) => {
    const socket = connect({ host, port: Number(port), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
    socket.once('timeout', () => (socket.destroy(), done(false)));
  });
};

const run = (command: string, args: readonly string[], env: Record<string, string> = {}) =>
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });

const main = async () => {
  const database = new URL(DATABASE_URL);
  if (!(await reachable(`${database.hostname}:${database.port || 5432}`))) {
    say('no PostgreSQL answers: starting a throwaway cluster (infra/postgres/ensure.sh)');
    run('bash', ['infra/postgres/ensure.sh'], { PGPORT: database.port || '5432' });
  }
  const broker = KAFKA_BROKERS.split(',')[0] ?? '127.0.0.1:9092';
  let startedBroker = false;
  if (!(await reachable(broker))) {
    say(`no broker answers at ${broker}: starting one (infra/kafka/start.sh)`);
    run('bash', ['infra/kafka/start.sh'], { KAFKA_PORT: broker.split(':')[1] ?? '9092' });
    startedBroker = true;
  }
  run('npx', ['tsx', 'infra/kafka/create-topics.ts']);

  mkdirSync(LOG_DIR, { recursive: true });
  const env = { DATABASE_URL, KAFKA_BROKERS };
  const running: { name: string; process: ServiceProcess; log: string }[] = [];
  let stopping = false;
  /** SIGTERM to every process (each shuts down in order); SIGKILL for any still running after
   *  10 s, or at once on a second Ctrl-C. */
  const stopAll = async (code: number) => {
    if (stopping) {
      say('stopping now (SIGKILL)');
      await Promise.all(running.map((r) => r.process.kill()));
      return;
    }
    stopping = true;
    say('stopping every process (Ctrl-C again to kill them at once)');
    const stopped = Promise.all(running.map((r) => r.process.stop()));
    const late = setTimeout(() => {
      say('some processes did not stop within 10 s: SIGKILL');
      void Promise.all(running.map((r) => r.process.kill()));
    }, 10_000);
    await stopped;
    clearTimeout(late);
    if (startedBroker) run('bash', ['infra/kafka/stop.sh']);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  for (const [i, spec] of TOPOLOGY.entries()) {
    const log = join(LOG_DIR, `${spec.name}.log`);
    const port = BASE_PORT === undefined ? spec.port : Number(BASE_PORT) + i;
    const child = await startServiceProcess(
      join(ROOT, spec.entry),
      { ...env, ...spec.env },
      { port, logFile: log, waitReady: false },
    );
    running.push({ name: spec.name, process: child, log });
    void child.exited.then(() => {
      if (!stopping) say(`${spec.name} exited; its log: ${log}`);
    });
  }
  console.log('');
  console.log(['process'.padEnd(12), 'url'.padEnd(24), 'log'].join(' '));
  for (const r of running) {
    console.log([r.name.padEnd(12), r.process.url.padEnd(24), r.log].join(' '));
  }
  console.log('');
  try {
    await Promise.all(running.map((r) => r.process.ready(120_000)));
  } catch (error) {
    say(`not every process became ready: ${String(error)}`);
    await stopAll(1);
    return;
  }
  say('every process answers /readyz; Ctrl-C stops them all');
  if (process.env['JWT_SECRET'] === undefined) {
    say('tokens: npm run newsroom -- token --role editor --sub you (the development secret)');
  }
};

await main();
