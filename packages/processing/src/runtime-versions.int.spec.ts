/**
 * The processor runtime (runtime.ts) on PostgreSQL, fed from the store's log: an older version
 * started on a read model a newer one built refuses to run it (and leaves it alone), and a
 * tick slower than its interval never overlaps itself nor holds up stop().
 *
 * Every test gets a fresh event-store schema and a fresh processor schema (dropped after it).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore, pgDriver } from '@newsroom/event-store';
import type { Position, PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { storeDeadLetters } from './dead-letters.js';
import type { Processor } from './processor.js';
import { startProcessor } from './runtime.js';
import { articleMessages, eventDataOf } from './spec.js';
import { storeSource } from './store-source.js';
import { counterProcessor } from './testing/counter-processor.js';
import { schemaName, submitted } from './testing/events.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = 'counter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
const until = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
};

// --- a world: a store and a processor schema -------------------------------------------------------

const cleanups: (() => Promise<unknown>)[] = [];
const later = (cleanup: () => Promise<unknown>) => void cleanups.push(cleanup);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  }
});

let pool: pg.Pool;
let sql: SqlDriver;
beforeAll(() => {
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 6 });
  pool.on('error', () => undefined);
  sql = pgDriver(pool);
});
afterAll(async () => {
  await pool?.end();
});

interface World {
  readonly store: PostgresEventStore;
  readonly processorSchema: string;
}

const world = async (): Promise<World> => {
  const storeSchema = schemaName('es_versions');
  const processorSchema = schemaName('p');
  later(() =>
    sql.query(
      `DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE; DROP SCHEMA IF EXISTS "${processorSchema}" CASCADE`,
    ),
  );
  const store = await createPostgresEventStore({ driver: sql, schema: storeSchema });
  later(() => store.close());
  return { store, processorSchema };
};

/** `count` contract-valid events on a new article stream. */
const appendArticle = async (
  { store }: World,
  count: number,
): Promise<{ stream: string; position: Position }> => {
  const articleId = randomUUID();
  const stream = `article-${articleId}`;
  const messages = articleMessages(
    articleId,
    Array.from({ length: count }, () => submitted(articleId)),
  );
  const { position } = await store.appendToStream(stream, messages.map(eventDataOf));
  return { stream, position };
};

const start = (w: World, processor: Processor) => {
  const logs: Record<string, unknown>[] = [];
  const running = startProcessor({
    processor,
    sql,
    store: w.store,
    source: storeSource({ store: w.store, batchSize: 10 }),
    deadLetters: storeDeadLetters(w.store.schema),
    registry: new Registry(),
    log: (line) => void logs.push(line),
    retry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 20 },
    restartDelayMs: 20,
    standbyPollMs: 50,
    heartbeatMs: 100,
    lagIntervalMs: 50,
  });
  later(() => running.stop());
  return { running, logs };
};

const countRows = async (w: World): Promise<Record<string, number>> =>
  Object.fromEntries(
    (
      await sql.query<{ stream_name: string; applied: number }>(
        `SELECT stream_name, applied FROM "${w.processorSchema}".counts`,
      )
    ).rows.map((r) => [r.stream_name, r.applied]),
  );

/** The version its read model was built by; undefined before the runtime's init made the row. */
const builtBy = async (w: World): Promise<number | undefined> =>
  sql
    .query<{ version: number }>(
      `SELECT version FROM "${w.processorSchema}".processor_progress WHERE name = $1`,
      [NAME],
    )
    .then(({ rows }) => rows[0]?.version)
    .catch(() => undefined);

// --- the tests -----------------------------------------------------------------------------------

describe('a read model built by a newer version (PostgreSQL)', () => {
  it('an older version reports failing, names the versions, and leaves the read model as it is', async () => {
    const w = await world();
    const x = await appendArticle(w, 3);
    const y = await appendArticle(w, 2);
    const v2 = start(w, counterProcessor({ schema: w.processorSchema, name: NAME, version: 2 }));
    // Until its rebuild the row says version 0: wait for version 2 before whenProcessed.
    await until('it is built by version 2', async () => (await builtBy(w)) === 2);
    await v2.running.whenProcessed(y.position);
    await v2.running.stop();
    const built = { [x.stream]: 3, [y.stream]: 2 };
    expect(await countRows(w)).toEqual(built);

    const v1 = start(w, counterProcessor({ schema: w.processorSchema, name: NAME, version: 1 }));
    await until('v1 is failing', () => v1.running.status() === 'failing');
    await expect(v1.running.ready()).rejects.toThrow(
      /failing: .*built by version 2, newer than this instance's 1/,
    );
    // An event appended now is not applied by v1: it fails again (a restart) and applies nothing.
    const z = await appendArticle(w, 1);
    const restarts = () => v1.logs.filter((l) => String(l['msg']).includes('failed; restarting'));
    const seen = restarts().length;
    await until('v1 failed again', () => restarts().length >= seen + 2);
    expect(v1.running.status()).toBe('failing');
    expect(await countRows(w)).toEqual(built); // not truncated, nothing applied
    expect(await builtBy(w)).toBe(2);
    expect(v1.logs).not.toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('rebuilding') }),
    );
    await v1.running.stop();
    expect(v1.running.status()).toBe('stopped');

    // Version 2 again carries on from where it was, without a rebuild.
    const again = start(w, counterProcessor({ schema: w.processorSchema, name: NAME, version: 2 }));
    await again.running.whenProcessed(z.position);
    expect(await countRows(w)).toEqual({ ...built, [z.stream]: 1 });
    expect(again.logs).not.toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('rebuilding') }),
    );
  });
});

describe('a tick slower than its interval (PostgreSQL)', () => {
  it('never runs twice at once, and stop() returns within a second', async () => {
    const w = await world();
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    let finished = 0;
    const processor: Processor = {
      ...counterProcessor({ schema: w.processorSchema, name: NAME }),
      tick: {
        intervalMs: 20,
        run: async () => {
          started++;
          running++;
          maxRunning = Math.max(maxRunning, running);
          await sleep(150);
          running--;
          finished++;
        },
      },
    };
    const p = start(w, processor);
    await until('it is active', () => p.running.status() === 'active');
    // Each run spans some seven intervals: overlapping or queued runs would show here.
    await until('three ticks finished and a fourth is running', () => finished >= 3 && running > 0);

    const stopping = Date.now();
    await p.running.stop();
    const stopMs = Date.now() - stopping;

    expect(maxRunning).toBe(1);
    expect(running).toBe(0); // stop() waited for the tick in flight
    expect(stopMs).toBeLessThan(1_000);
    expect(p.running.status()).toBe('stopped');
    expect(started).toBe(finished);
    const after = started;
    await sleep(100); // (a few intervals: that nothing starts once stopped)
    expect(started).toBe(after);
  });
});
