/**
 * Before the int and e2e tiers: make sure the real services they talk to answer. PostgreSQL
 * at DATABASE_URL (infra/postgres/ensure.sh starts a throwaway cluster where none runs) and a
 * Kafka broker at KAFKA_BROKERS (infra/kafka/start.sh, stopped again after the run if this
 * setup started it). `.ci/run` starts both itself; this makes `npm test` work alone too.
 */
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

const reachable = (host: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

const run = (script: string, env: Record<string, string> = {}): void => {
  execFileSync('bash', [script], { stdio: 'inherit', env: { ...process.env, ...env } });
};

export default async function setup(): Promise<() => Promise<void>> {
  const database = new URL(
    process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test',
  );
  const pgPort = Number(database.port || 5432);
  if (!(await reachable(database.hostname, pgPort))) {
    run('infra/postgres/ensure.sh', { PGPORT: String(pgPort) });
  }

  const [broker = '127.0.0.1:9092'] = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const [host = '127.0.0.1', port = '9092'] = broker.split(':');
  let startedKafka = false;
  if (!(await reachable(host, Number(port)))) {
    run('infra/kafka/start.sh', { KAFKA_PORT: port });
    execFileSync('npx', ['tsx', 'infra/kafka/create-topics.ts'], { stdio: 'inherit' });
    startedKafka = true;
  }
  return async () => {
    if (startedKafka) run('infra/kafka/stop.sh');
  };
}
