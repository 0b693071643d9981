/**
 * A child process for runtime.int.spec.ts: runs the counter processor on PostgreSQL and, when
 * it applies the event named by CRASH_AT (`<stream>@<revision>`), SIGKILLs itself inside the
 * batch's transaction, after that event's writes and before the commit. Exits with code 3 if
 * it caught up without meeting that event (the test then fails: it expects the kill).
 *
 *   DATABASE_URL, STORE_SCHEMA, PROCESSOR_SCHEMA, CRASH_AT, BATCH_SIZE (default 5)
 */
import pg from 'pg';
import { Registry } from 'prom-client';
import { createPostgresEventStore, pgDriver } from '@newsroom/event-store';
import { storeDeadLetters } from '../dead-letters.js';
import { startProcessor } from '../runtime.js';
import { storeSource } from '../store-source.js';
import { counterProcessor } from './counter-processor.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 4 });
pool.on('error', () => undefined);
const sql = pgDriver(pool);
const store = await createPostgresEventStore({ driver: sql, schema: env('STORE_SCHEMA') });
const crashAt = env('CRASH_AT');
const running = startProcessor({
  processor: counterProcessor({
    schema: env('PROCESSOR_SCHEMA'),
    by: 'child',
    onApplied: async (message) => {
      if (`${message.streamName}@${message.revision}` === crashAt) {
        process.stdout.write('crashing\n');
        process.kill(process.pid, 'SIGKILL');
      }
    },
  }),
  sql,
  store,
  source: storeSource({ store, batchSize: Number(process.env['BATCH_SIZE'] ?? 5) }),
  deadLetters: storeDeadLetters(store.schema),
  registry: new Registry(),
  log: (line) => process.stderr.write(`${JSON.stringify(line)}\n`),
  standbyPollMs: 50,
});
await running.whenCaughtUp(20_000);
process.stdout.write('caught up without crashing\n');
await running.stop();
await store.close();
await pool.end();
process.exit(3);
