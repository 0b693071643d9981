/**
 * The processor runtime's guarantees, on a real PostgreSQL server (and PGlite where marked),
 * with a counter processor that is not idempotent by itself (testing/counter-processor.ts): an
 * event applied twice shows as a count too high and a second effect row.
 *
 * Every test gets a fresh event-store schema and a fresh processor schema (dropped after it);
 * database faults are real (a killed process, pg_terminate_backend, a dropped table), never a
 * mocked database.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleEvent, ArticleEventMessage } from '@newsroom/contracts';
import { createPostgresEventStore, pgDriver, pgliteDriver } from '@newsroom/event-store';
import type { Position, PostgresEventStore, SqlDriver } from '@newsroom/event-store';
import { storeDeadLetters } from './dead-letters.js';
import { atOrAfter } from './position.js';
import type { Processor } from './processor.js';
import { handles } from './processor.js';
import { startProcessor } from './runtime.js';
import type { ProcessorRuntimeOptions, RunningProcessor } from './runtime.js';
import { articleMessages, processorSpec, eventDataOf } from './spec.js';
import { initProcessor } from './sql/init-processor.js';
import { storeSource } from './store-source.js';
import { counterProcessor } from './testing/counter-processor.js';
import type { CounterProcessorOptions } from './testing/counter-processor.js';
import { schemaName, submitted, withdrawn } from './testing/events.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CRASH_CHILD = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));
const NAME = 'counter';

// --- events ------------------------------------------------------------------------------------

const BY = { id: 'editor.a', role: 'editor' } as const;

interface Appended {
  readonly stream: string;
  readonly articleId: string;
  readonly count: number;
  readonly position: Position;
}

/** `count` contract-valid events appended to an article stream (a new one by default). */
const appendArticle = async (
  store: PostgresEventStore,
  count: number,
  options: { readonly articleId?: string; readonly event?: (id: string) => ArticleEvent } = {},
): Promise<Appended> => {
  const articleId = options.articleId ?? randomUUID();
  const event = options.event ?? submitted;
  const messages = articleMessages(
    articleId,
    Array.from({ length: count }, () => event(articleId)),
  );
  const stream = `article-${articleId}`;
  const { position } = await store.appendToStream(stream, messages.map(eventDataOf));
  return { stream, articleId, count, position };
};

/** An article-stream event the contract codec refuses: no metadata. */
const appendUndecodable = async (store: PostgresEventStore, articleId = randomUUID()) => {
  const stream = `article-${articleId}`;
  const event = submitted(articleId);
  const { position } = await store.appendToStream(stream, [
    { id: randomUUID(), type: event.type, data: event.data },
  ]);
  return { stream, articleId, count: 1, position };
};

/** What was appended: events per stream, and the last position. */
const ledger = () => {
  const counts = new Map<string, number>();
  let last: Position | undefined;
  return {
    counts,
    add<T extends Pick<Appended, 'stream' | 'count' | 'position'>>(appended: T): T {
      counts.set(appended.stream, (counts.get(appended.stream) ?? 0) + appended.count);
      if (last === undefined || atOrAfter(appended.position, last)) last = appended.position;
      return appended;
    },
    get total() {
      return [...counts.values()].reduce((a, b) => a + b, 0);
    },
    get last(): Position {
      if (last === undefined) throw new Error('nothing appended');
      return last;
    },
  };
};
type Ledger = ReturnType<typeof ledger>;

/** One event at a time, round robin over `streams` articles, until `total` are appended. */
const appendContinuously = (store: PostgresEventStore, streams: number, total: number) => {
  const appended = ledger();
  const ids = Array.from({ length: streams }, () => randomUUID());
  let stopped = false;
  const done = (async () => {
    for (let i = 0; i < total && !stopped; i++) {
      appended.add(await appendArticle(store, 1, { articleId: ids[i % streams]! }));
      await sleep(2);
    }
  })();
  done.catch(() => undefined); // awaited by the test; a failed test stops it below
  later(async () => {
    stopped = true;
    await done.catch(() => undefined);
  });
  return { appended, done };
};

// --- waiting -----------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
const until = async (
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  detail: () => string = () => '',
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what} ${detail()}`);
    await sleep(5);
  }
};

type Gate = ReturnType<typeof gate>;

/** A door a handler waits at: `reached` once one got there, `open()` lets it through. */
const gate = () => {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  openAfterTest.push(open); // a failed test must not leave a batch (and its transaction) open
  return {
    open,
    reached,
    wait: async () => {
      arrive();
      await opened;
    },
  };
};

// --- databases ---------------------------------------------------------------------------------

const cleanups: (() => Promise<unknown>)[] = [];
const openAfterTest: (() => void)[] = [];
const later = (cleanup: () => Promise<unknown>) => void cleanups.push(cleanup);
afterEach(async () => {
  for (const open of openAfterTest.splice(0)) open();
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  }
});

let admin: pg.Pool;
beforeAll(() => {
  admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
});
afterAll(async () => {
  await admin?.end();
});

interface Connection {
  readonly sql: SqlDriver;
  readonly store: PostgresEventStore;
}

interface World extends Connection {
  readonly kind: 'postgres' | 'pglite';
  readonly storeSchema: string;
  readonly processorSchema: string;
  /** PostgreSQL: another pool (another "process") on the same schemas. */
  readonly connect: (instance: string, wrap?: (sql: SqlDriver) => SqlDriver) => Promise<Connection>;
}

const pgConnection = async (
  storeSchema: string,
  applicationName: string,
  wrap: (sql: SqlDriver) => SqlDriver = (sql) => sql,
): Promise<Connection> => {
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: 6,
    application_name: applicationName,
  });
  pool.on('error', () => undefined); // an idle connection a test terminated
  const sql = wrap(pgDriver(pool));
  const store = await createPostgresEventStore({ driver: sql, schema: storeSchema });
  later(async () => {
    await store.close();
    await pool.end();
  });
  return { sql, store };
};

const postgresWorld = async (): Promise<World> => {
  const storeSchema = schemaName('es_proc');
  const processorSchema = schemaName('p');
  later(() =>
    admin.query(
      `DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE; DROP SCHEMA IF EXISTS "${processorSchema}" CASCADE`,
    ),
  );
  const main = await pgConnection(storeSchema, `main-${storeSchema}`);
  return {
    kind: 'postgres',
    ...main,
    storeSchema,
    processorSchema,
    connect: (instance, wrap) => pgConnection(storeSchema, `${instance}-${storeSchema}`, wrap),
  };
};

/** One PGlite for the file (it takes seconds to start); each world has its own schemas. */
let pglite: Promise<PGlite> | undefined;
afterAll(async () => {
  await (await pglite)?.close();
});

const pgliteWorld = async (): Promise<World> => {
  const sql = pgliteDriver(await (pglite ??= PGlite.create()));
  const storeSchema = schemaName('es_proc');
  const store = await createPostgresEventStore({ driver: sql, schema: storeSchema });
  later(() => store.close());
  return {
    kind: 'pglite',
    sql,
    store,
    storeSchema,
    processorSchema: schemaName('p'),
    connect: () => Promise.reject(new Error('PGlite is one process: no second connection')),
  };
};

const worlds = { postgres: postgresWorld, pglite: pgliteWorld } as const;

/**
 * A driver that can be cut off from the database, as a network partition would: while cut,
 * every new query, transaction and session is refused with a connection error.
 */
const cuttable = () => {
  let cut = false;
  const refused = () =>
    Promise.reject(Object.assign(new Error('cut off from the database'), { code: 'ECONNREFUSED' }));
  return {
    cut: () => void (cut = true),
    heal: () => void (cut = false),
    wrap: (inner: SqlDriver): SqlDriver => ({
      target: inner.target,
      query: (text, params, options) => (cut ? refused() : inner.query(text, params, options)),
      transaction: (fn) => (cut ? refused() : inner.transaction(fn)),
      ...(inner.session ? { session: () => (cut ? refused() : inner.session!()) } : {}),
      ...(inner.listen ? { listen: inner.listen.bind(inner) } : {}),
    }),
  };
};

// --- the processor and what it wrote -------------------------------------------------------------

const FAST_RETRY = { attempts: 2, initialDelayMs: 5, maxDelayMs: 20 } as const;

interface Started {
  readonly running: RunningProcessor;
  readonly logs: Record<string, unknown>[];
  readonly registry: Registry;
}

const start = (
  on: Connection,
  processor: Processor,
  options: Partial<Omit<ProcessorRuntimeOptions, 'processor' | 'sql' | 'store' | 'source'>> & {
    readonly batchSize?: number;
  } = {},
): Started => {
  const { batchSize, ...rest } = options;
  const logs: Record<string, unknown>[] = [];
  const registry = options.registry ?? new Registry();
  const running = startProcessor({
    processor,
    sql: on.sql,
    store: on.store,
    source: storeSource({ store: on.store, batchSize: batchSize ?? 10 }),
    deadLetters: storeDeadLetters(on.store.schema),
    log: (line) => void logs.push(line),
    retry: FAST_RETRY,
    restartDelayMs: 20,
    standbyPollMs: 100,
    heartbeatMs: 100,
    lagIntervalMs: 50,
    ...rest,
    registry,
  });
  later(() => running.stop());
  return { running, logs, registry };
};

const counter = (world: World, options: Omit<CounterProcessorOptions, 'schema'> = {}) =>
  counterProcessor({ schema: world.processorSchema, ...options });

interface EffectRow {
  readonly stream_name: string;
  readonly revision: string;
  readonly n: number;
}

/** Effect rows per (stream, revision), with how many there are. */
const effectRows = async (world: World): Promise<EffectRow[]> =>
  (
    await world.sql.query<EffectRow>(
      `SELECT stream_name, revision::text AS revision, count(*)::int AS n
         FROM "${world.processorSchema}".effects GROUP BY stream_name, revision
        ORDER BY stream_name, revision`,
    )
  ).rows;

const effectsBy = async (world: World): Promise<Record<string, number>> =>
  Object.fromEntries(
    (
      await world.sql.query<{ by: string | null; n: number }>(
        `SELECT by, count(*)::int AS n FROM "${world.processorSchema}".effects GROUP BY by`,
      )
    ).rows.map((r) => [r.by ?? 'null', r.n]),
  );

const countRows = async (world: World): Promise<Record<string, number>> =>
  Object.fromEntries(
    (
      await world.sql.query<{ stream_name: string; applied: number }>(
        `SELECT stream_name, applied FROM "${world.processorSchema}".counts`,
      )
    ).rows.map((r) => [r.stream_name, r.applied]),
  );

const deadLetterRows = async (world: World) =>
  (
    await world.sql.query<{
      processor: string;
      stream_name: string;
      revision: string;
      event_id: string;
      event_type: string;
      reason: string;
      attempts: number;
      payload: string;
    }>(
      `SELECT processor, stream_name, revision::text AS revision, event_id, event_type, reason,
              attempts, payload
         FROM "${world.storeSchema}".dead_letters ORDER BY id`,
    )
  ).rows;

const progressRow = async (world: World) => {
  const { rows } = await world.sql.query<{
    version: number;
    fence: string;
    owner: string | null;
    position: string;
  }>(
    `SELECT version, fence::text AS fence, owner, position::text AS position
       FROM "${world.processorSchema}".processor_progress WHERE name = $1`,
    [NAME],
  );
  return rows[0];
};

const inLogOrder = (a: EffectRow, b: EffectRow): number =>
  a.stream_name === b.stream_name
    ? Number(a.revision) - Number(b.revision)
    : a.stream_name < b.stream_name
      ? -1
      : 1;

/** Every appended event applied exactly once: one effect row each, and the counts agree. */
const expectExactlyOnce = async (world: World, appended: Ledger): Promise<void> => {
  const expected = [...appended.counts].flatMap(([stream, count]) =>
    Array.from({ length: count }, (_, revision) => ({
      stream_name: stream,
      revision: String(revision),
      n: 1,
    })),
  );
  const actual = await effectRows(world);
  expect(actual.sort(inLogOrder)).toEqual(expected.sort(inLogOrder));
  expect(await countRows(world)).toEqual(Object.fromEntries(appended.counts));
};

/**
 * The backend holding the processor's advisory lock, from pg_locks: a bigint key shows as
 * classid (high 32 bits) and objid (low 32 bits) with objsubid 1. The key is lock.ts's
 * `processing:processor:<schema>.<name>`.
 */
const lockHolders = async (world: World) =>
  (
    await admin.query<{ pid: number; application_name: string }>(
      `SELECT l.pid, a.application_name
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended($1, 0)`,
      [`processing:processor:${world.processorSchema}.${NAME}`],
    )
  ).rows;

/** Terminates the lock holder's backend; answers its application name. */
const breakLock = async (world: World): Promise<string> => {
  const holders = await lockHolders(world);
  expect(holders).toHaveLength(1);
  const [holder] = holders;
  await admin.query('SELECT pg_terminate_backend($1)', [holder!.pid]);
  return holder!.application_name;
};

/** How many backends of an instance's pool (`main`, `a`, `b`) wait for a lock. */
const lockWaiters = async (world: World, instance = 'main'): Promise<number> =>
  Number(
    (
      await admin.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [`${instance}-${world.storeSchema}`],
      )
    ).rows[0]?.n,
  );

const metricValue = async (
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const found = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return found?.value;
};

// --- the guarantees --------------------------------------------------------------------------------

describe('exactly once across a crash (PostgreSQL, a child process)', () => {
  it('keeps what was committed, drops the batch the process died in, and the next run applies each event once', async () => {
    const world = await postgresWorld();
    const appended = ledger();
    const streams: Appended[] = [];
    for (let i = 0; i < 4; i++) streams.push(appended.add(await appendArticle(world.store, 6)));
    // The 14th event of the log: the fourth of the third batch of five.
    const crashAt = `${streams[2]!.stream}@1`;

    const child = spawn(process.execPath, ['--import', 'tsx', CRASH_CHILD], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL,
        STORE_SCHEMA: world.storeSchema,
        PROCESSOR_SCHEMA: world.processorSchema,
        CRASH_AT: crashAt,
        BATCH_SIZE: '5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    later(async () => void (child.exitCode === null && child.signalCode === null && child.kill()));
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    expect(exit, output).toEqual({ code: null, signal: 'SIGKILL' });
    expect(output).toContain('crashing');

    // What the dead process committed stays; what it wrote in its last batch went with it.
    const committed = await effectRows(world);
    expect(committed.length).toBeGreaterThan(0);
    expect(committed.length).toBeLessThan(appended.total);
    expect(committed.every((r) => r.n === 1)).toBe(true);
    expect(committed).not.toContainEqual(
      expect.objectContaining({ stream_name: streams[2]!.stream, revision: '1' }),
    );

    const { running } = start(world, counter(world, { by: 'resumed' }));
    await running.whenProcessed(appended.last);
    await expectExactlyOnce(world, appended);
    // The second run applied exactly what the first had not committed.
    expect(await effectsBy(world)).toEqual({
      child: committed.length,
      resumed: appended.total - committed.length,
    });
  });
});

describe('standby takeover (PostgreSQL)', () => {
  it('a standby takes over mid-stream when the active instance stops', async () => {
    const world = await postgresWorld();
    const a = start(await world.connect('a'), counter(world, { by: 'a' }));
    await until('a is active', () => a.running.status() === 'active');
    const b = start(await world.connect('b'), counter(world, { by: 'b' }));
    await until('b is a standby', () => b.running.status() === 'standby');
    expect(a.running.status()).toBe('active');
    expect((await lockHolders(world)).map((h) => h.application_name)).toEqual([
      `a-${world.storeSchema}`,
    ]);

    const feed = appendContinuously(world.store, 8, 150);
    await until('a applied 30 events', async () => ((await effectsBy(world))['a'] ?? 0) >= 30);
    expect(b.running.status()).toBe('standby');
    expect((await effectsBy(world))['b']).toBeUndefined(); // the standby applied nothing
    expect(await metricValue(b.registry, 'processor_active', { processor: NAME })).toBe(0);
    // A standby answers whenProcessed from the active's progress row.
    await b.running.whenProcessed(feed.appended.last, 5_000);

    const stopping = Date.now();
    const stopped = a.running.stop();
    await until('b is active', () => b.running.status() === 'active', 5_000);
    const takeoverMs = Date.now() - stopping;
    await stopped;
    console.log(`standby takeover after stop(): ${takeoverMs} ms (standbyPollMs 100)`);
    expect(takeoverMs).toBeLessThan(2_000);

    await feed.done;
    await b.running.whenProcessed(feed.appended.last);
    await expectExactlyOnce(world, feed.appended);
    const by = await effectsBy(world);
    expect(by['a']).toBeGreaterThan(0);
    expect(by['b']).toBeGreaterThan(0);
    expect(a.running.status()).toBe('stopped');
    expect(await lockHolders(world)).toEqual([
      expect.objectContaining({ application_name: `b-${world.storeSchema}` }),
    ]);
  });

  it('a standby takes over mid-stream from an active instance cut off from the database, which comes back as a standby', async () => {
    const world = await postgresWorld();
    const partition = cuttable();
    const a = start(await world.connect('a', partition.wrap), counter(world, { by: 'a' }));
    await until('a is active', () => a.running.status() === 'active');
    const b = start(await world.connect('b'), counter(world, { by: 'b' }));
    await until('b is a standby', () => b.running.status() === 'standby');

    const feed = appendContinuously(world.store, 8, 150);
    await until('a applied 30 events', async () => ((await effectsBy(world))['a'] ?? 0) >= 30);
    expect(b.running.status()).toBe('standby');
    expect((await effectsBy(world))['b']).toBeUndefined();
    const breaking = Date.now();
    partition.cut();
    // Cut off, a may have given its lock up already (its batch failed and it backs off, as it
    // should, under a loaded machine's timing); otherwise its lock connection dies now.
    for (const holder of await lockHolders(world)) {
      expect(holder.application_name).toBe(`a-${world.storeSchema}`);
      await admin.query('SELECT pg_terminate_backend($1)', [holder.pid]);
    }
    await until('b is active', () => b.running.status() === 'active', 5_000);
    const takeoverMs = Date.now() - breaking;
    console.log(`standby takeover after the active's lock connection died: ${takeoverMs} ms`);
    expect(takeoverMs).toBeLessThan(2_000);

    await feed.done;
    await b.running.whenProcessed(feed.appended.last);
    partition.heal();
    await until(
      'a is a standby again',
      () => a.running.status() === 'standby',
      10_000,
      () => `(a is ${a.running.status()})`,
    );
    await expect(a.running.ready()).resolves.toBeUndefined();
    await expectExactlyOnce(world, feed.appended);
    expect(b.running.status()).toBe('active');
  });

  it("when only the active instance's lock connection is killed, an instance holds the lock again and nothing is lost or doubled", async () => {
    const world = await postgresWorld();
    const a = start(await world.connect('a'), counter(world, { by: 'a' }));
    await until('a is active', () => a.running.status() === 'active');
    const b = start(await world.connect('b'), counter(world, { by: 'b' }));
    await until('b is a standby', () => b.running.status() === 'standby');

    const feed = appendContinuously(world.store, 8, 150);
    const holders: string[] = [];
    for (let round = 1; round <= 3; round++) {
      await until(`${30 * round} events applied`, async () => {
        const by = await effectsBy(world);
        return (by['a'] ?? 0) + (by['b'] ?? 0) >= 30 * round;
      });
      const [killed] = await lockHolders(world);
      await admin.query('SELECT pg_terminate_backend($1)', [killed!.pid]);
      const breaking = Date.now();
      await until('the lock is held again', async () => {
        const now = await lockHolders(world);
        return now.length === 1 && now[0]!.pid !== killed!.pid;
      });
      const [holder] = await lockHolders(world);
      holders.push(`${holder!.application_name.split('-')[0]} after ${Date.now() - breaking} ms`);
    }
    console.log(`lock taken again by: ${holders.join(', ')}`);

    await feed.done;
    await a.running.whenProcessed(feed.appended.last);
    await expectExactlyOnce(world, feed.appended);
    await until(
      'one instance is active, the other a standby',
      () => [a.running.status(), b.running.status()].sort().join() === 'active,standby',
    );
  });
});

describe('fencing (PostgreSQL)', () => {
  it('an instance that lost its lock while paused inside a batch cannot commit it', async () => {
    const world = await postgresWorld();
    const appended = ledger();
    const x = appended.add(await appendArticle(world.store, 3));
    appended.add(await appendArticle(world.store, 2));
    const paused = gate();
    const a = start(
      await world.connect('a'),
      counter(world, {
        by: 'a',
        onApplied: async (m) => {
          if (m.streamName === x.stream && m.revision === '1') await paused.wait();
        },
      }),
    );
    await paused.reached; // a has written x@0 and x@1 in its open transaction
    const b = start(await world.connect('b'), counter(world, { by: 'b' }), {
      instanceId: 'instance-b',
    });
    await until('b is a standby', () => b.running.status() === 'standby');
    const before = await progressRow(world);

    const breaking = Date.now();
    expect(await breakLock(world)).toBe(`a-${world.storeSchema}`);
    await until('b is active', () => b.running.status() === 'active', 5_000);
    console.log(`takeover from a paused holder: ${Date.now() - breaking} ms`);
    const after = await progressRow(world);
    expect(BigInt(after!.fence)).toBeGreaterThan(BigInt(before!.fence));
    expect(after!.owner).toBe('instance-b');
    expect(await effectRows(world)).toEqual([]); // nothing of a's batch is committed
    // b's first batch is a's: it waits behind a's open transaction for the batch's marks.
    await until('b waits for the marks a holds', async () => (await lockWaiters(world, 'b')) > 0);

    paused.open(); // a carries on: its commit is refused by the token b took
    await until('a is a standby', () => a.running.status() === 'standby', 5_000);
    expect(a.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining('fencing token') }),
    );
    await b.running.whenProcessed(appended.last);
    appended.add(await appendArticle(world.store, 2));
    await b.running.whenProcessed(appended.last);
    await expectExactlyOnce(world, appended);
    expect(await effectsBy(world)).toEqual({ b: appended.total }); // a's batch rolled back whole
    expect(a.running.status()).toBe('standby');
    await expect(a.running.ready()).resolves.toBeUndefined();
  });
});

describe.each(['postgres', 'pglite'] as const)('poison messages (%s)', (kind) => {
  it('dead-letters an event its handler keeps failing on, and an undecodable one, and applies the rest', async () => {
    const world = await worlds[kind]();
    const appended = ledger();
    const x = appended.add(await appendArticle(world.store, 4));
    appended.add(await appendArticle(world.store, 3));
    const z = await appendUndecodable(world.store);
    const zAfter = await appendArticle(world.store, 1, { articleId: z.articleId });
    const processor = counter(world, {
      onApplied: async (m) => {
        if (m.streamName === x.stream && m.revision === '1') throw new Error('poisoned');
      },
    });
    const { running, logs } = start(world, processor, { batchSize: 100 });
    await running.whenProcessed(zAfter.position);

    const letters = await deadLetterRows(world);
    expect(letters).toHaveLength(2);
    const poison = letters.find((l) => l.stream_name === x.stream);
    expect(poison).toMatchObject({
      processor: NAME,
      revision: '1',
      event_type: 'SubmittedForReview.v1',
      attempts: FAST_RETRY.attempts,
    });
    expect(poison!.reason).toMatch(/^handler failed 2 times: Error: poisoned/);
    expect(JSON.parse(poison!.payload)).toMatchObject({
      id: poison!.event_id,
      type: 'SubmittedForReview.v1',
      streamName: x.stream,
      data: { articleId: x.articleId },
      metadata: { actor: BY },
    });
    // Logged with the event's id and its command's correlation id, to be found beside it.
    const { metadata } = JSON.parse(poison!.payload) as { metadata: { correlationId: string } };
    expect(metadata.correlationId).toEqual(expect.any(String));
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        eventId: poison!.event_id,
        correlationId: metadata.correlationId,
      }),
    );
    const undecodable = letters.find((l) => l.stream_name === z.stream);
    expect(undecodable).toMatchObject({ revision: '0', attempts: 0 });
    expect(undecodable!.reason).toMatch(/^undecodable/);

    // Everything else is applied, once; the poison's own writes were rolled back.
    const effects = await effectRows(world);
    expect(effects.filter((r) => r.stream_name === x.stream).map((r) => r.revision)).toEqual([
      '0',
      '2',
      '3',
    ]);
    expect(effects.every((r) => r.n === 1)).toBe(true);
    expect(effects).toHaveLength(3 + 3 + 1); // x but x@1, all of y, z but z@0
    expect(await countRows(world)).toMatchObject({ [x.stream]: 3, [z.stream]: 1 });
    await expect(running.ready()).resolves.toBeUndefined();

    // A restart does not dead-letter them again.
    await running.stop();
    const again = start(world, processor);
    const x4 = await appendArticle(world.store, 1, { articleId: x.articleId });
    await again.running.whenProcessed(x4.position);
    expect(await deadLetterRows(world)).toHaveLength(2);
    expect((await countRows(world))[x.stream]).toBe(4);
  });
});

describe('systemic failures (PGlite)', () => {
  it('reports failing while its table is gone, dead-letters nothing, and catches up once it is back', async () => {
    const world = await pgliteWorld();
    const { running } = start(world, counter(world));
    const first = await appendArticle(world.store, 2);
    await running.whenProcessed(first.position);
    await expect(running.ready()).resolves.toBeUndefined();

    await world.sql.query(`DROP TABLE "${world.processorSchema}".effects`);
    const second = await appendArticle(world.store, 3);
    await until('it is failing', () => running.status() === 'failing');
    await expect(running.ready()).rejects.toThrow(/failing.*effects/);

    await world.sql.query(
      `CREATE TABLE "${world.processorSchema}".effects (stream_name text NOT NULL, revision bigint NOT NULL, by text)`,
    );
    await running.whenProcessed(second.position);
    await until('it is active', () => running.status() === 'active');
    await expect(running.ready()).resolves.toBeUndefined();
    expect(await deadLetterRows(world)).toEqual([]);
    expect(await countRows(world)).toEqual({ [first.stream]: 2, [second.stream]: 3 });
    expect((await effectRows(world)).map((r) => [r.stream_name, r.revision, r.n])).toEqual([
      [second.stream, '0', 1],
      [second.stream, '1', 1],
      [second.stream, '2', 1],
    ]);
  });
});

describe('rebuild (PostgreSQL)', () => {
  it('rebuild() empties the read model and replays it, once', async () => {
    const world = await postgresWorld();
    let replaying: Gate | undefined = undefined; // set once the first run is checked
    let applications = 0;
    const { running } = start(
      world,
      counter(world, {
        onApplied: async () => {
          applications++;
          await replaying?.wait();
        },
      }),
    );
    const appended = ledger();
    for (let i = 0; i < 3; i++) appended.add(await appendArticle(world.store, 4));
    await running.whenProcessed(appended.last);
    await expectExactlyOnce(world, appended);
    const before = await progressRow(world);

    replaying = gate();
    await running.rebuild();
    await replaying.reached; // the replay's first batch is open, not committed
    expect(await countRows(world)).toEqual({});
    expect(await effectRows(world)).toEqual([]);
    expect(BigInt((await progressRow(world))!.fence)).toBeGreaterThan(BigInt(before!.fence));
    replaying.open();

    await running.whenProcessed(appended.last);
    await expectExactlyOnce(world, appended);
    expect(applications).toBe(2 * appended.total);
  });

  it('a processor started with a higher version rebuilds its read model first', async () => {
    const world = await postgresWorld();
    const v1 = start(world, counter(world, { version: 1 }));
    const appended = ledger();
    for (let i = 0; i < 3; i++) appended.add(await appendArticle(world.store, 4));
    await v1.running.whenProcessed(appended.last);
    await v1.running.stop();
    expect((await progressRow(world))!.version).toBe(1);

    let applications = 0;
    const v2 = start(
      world,
      counter(world, { version: 2, onApplied: async () => void applications++ }),
    );
    // Until the rebuild, the progress row is v1's: wait for v2's before whenProcessed.
    await until(
      'the progress row is version 2',
      async () => (await progressRow(world))?.version === 2,
    );
    await v2.running.whenProcessed(appended.last);
    await expectExactlyOnce(world, appended);
    expect(await progressRow(world)).toMatchObject({ version: 2 });
    expect(applications).toBe(appended.total);
    expect(v2.logs).toContainEqual(
      expect.objectContaining({ msg: expect.stringContaining('rebuilding as 2') }),
    );
  });

  it('rebuild() while a batch is in flight neither fails nor doubles anything', async () => {
    const world = await postgresWorld();
    let inFlight: Gate | undefined = undefined;
    const { running } = start(
      world,
      counter(world, { onApplied: async () => void (await inFlight?.wait()) }),
    );
    const appended = ledger();
    appended.add(await appendArticle(world.store, 2));
    await running.whenProcessed(appended.last);

    inFlight = gate();
    appended.add(await appendArticle(world.store, 3));
    await inFlight.reached; // a batch is open, holding its marks and rows
    const rebuilding = running.rebuild();
    await until('the rebuild waits for the batch', async () => (await lockWaiters(world)) > 0);
    const held = inFlight;
    inFlight = undefined;
    held.open();
    await rebuilding;
    await running.whenProcessed(appended.last);
    await until('it is active', () => running.status() === 'active');
    await expectExactlyOnce(world, appended);
  });
});

describe('whenProcessed and whenCaughtUp (PostgreSQL)', () => {
  it('resolve only once the effects are visible', async () => {
    const world = await postgresWorld();
    const { running } = start(world, counter(world));
    for (let i = 0; i < 15; i++) {
      const appended = await appendArticle(world.store, 1 + (i % 3));
      await running.whenProcessed(appended.position);
      expect((await countRows(world))[appended.stream]).toBe(appended.count);
    }
    for (let i = 0; i < 5; i++) {
      const appended = await appendArticle(world.store, 2);
      // "Caught up" is with the log as readAll sees it: below the server's oldest running
      // transaction (another test's, on a shared server, may hold it back for a moment).
      const head = await world.store.readHead();
      await running.whenCaughtUp();
      if (head !== undefined && atOrAfter(head.position, appended.position)) {
        expect((await countRows(world))[appended.stream]).toBe(2);
      }
    }
  });

  it('do not resolve while the batch is not committed, and time out when it cannot be', async () => {
    const world = await postgresWorld();
    const held = gate();
    const { running } = start(world, counter(world, { onApplied: () => held.wait() }));
    const appended = await appendArticle(world.store, 1);
    await held.reached;
    await expect(running.whenProcessed(appended.position, 200)).rejects.toThrow(/did not reach/);
    await expect(running.whenCaughtUp(200)).rejects.toThrow(/did not reach/);
    const waiting = running.whenProcessed(appended.position);
    expect(await countRows(world)).toEqual({});
    held.open();
    await waiting;
    expect(await countRows(world)).toEqual({ [appended.stream]: 1 });
  });
});

describe('metrics (PostgreSQL)', () => {
  it('counts events by outcome and reports lag, 0 once caught up', async () => {
    const world = await postgresWorld();
    const appended = ledger();
    appended.add(await appendArticle(world.store, 3));
    appended.add(await appendArticle(world.store, 3));
    await appendArticle(world.store, 2, { event: withdrawn }); // not handled: ignored
    const last = await appendUndecodable(world.store); // dead-lettered
    const held = gate();
    const registry = new Registry();
    const label = { processor: NAME };
    const { running } = start(
      world,
      counter(world, {
        canHandle: handles('SubmittedForReview.v1'),
        onApplied: () => held.wait(),
      }),
      { registry },
    );
    await held.reached;
    await until(
      'the lag is measured',
      async () => ((await metricValue(registry, 'processor_lag_events', label)) ?? 0) > 0,
    );
    expect(await metricValue(registry, 'processor_active', label)).toBe(1);
    held.open();
    await running.whenProcessed(last.position);
    await until(
      'the lag is 0',
      async () => (await metricValue(registry, 'processor_lag_events', label)) === 0,
    );

    const events = (outcome: string) =>
      metricValue(registry, 'processor_events_total', { ...label, outcome });
    expect(await events('applied')).toBe(appended.total);
    expect(await events('ignored')).toBe(2);
    expect(await events('dead_lettered')).toBe(1);
    expect(await metricValue(registry, 'processor_lag_seconds', label)).toBe(0);
    expect(await metricValue(registry, 'processor_batches_total', label)).toBeGreaterThan(0);
    const text = await registry.getSingleMetricAsString('processor_batch_seconds');
    expect(text).toMatch(/processor_batch_seconds_count\{processor="counter"\} [1-9]/);
    await expectExactlyOnce(world, appended);
  });
});

describe('the given / when (delivered N times) / then spec (PGlite)', () => {
  let sql: SqlDriver;
  beforeAll(async () => {
    sql = pgliteDriver(await (pglite ??= PGlite.create()));
  });

  const byStream = async (schema: string) => {
    const { rows } = await sql.query<{ stream_name: string; applied: number; effects: number }>(
      `SELECT c.stream_name, c.applied,
              (SELECT count(*)::int FROM ${schema}.effects e WHERE e.stream_name = c.stream_name) AS effects
         FROM ${schema}.counts c`,
    );
    return Object.fromEntries(rows.map((r) => [r.stream_name, [r.applied, r.effects]]));
  };
  const messages = (count: number): ArticleEventMessage[] => {
    const id = randomUUID();
    return articleMessages(
      id,
      Array.from({ length: count }, () => submitted(id)),
    );
  };

  it('the counter is not idempotent by itself: handed the same batch twice, it counts twice', async () => {
    const schema = schemaName('spec');
    const processor = counterProcessor({ schema });
    await initProcessor(sql, processor);
    const batch = messages(2);
    const context = { sql, schema, log: () => undefined };
    await processor.handle(batch, context);
    await processor.handle(batch, context);
    expect(await byStream(schema)).toEqual({ [batch[0]!.streamName]: [4, 4] });
  });

  it('a batch delivered three times counts once', async () => {
    const schema = schemaName('spec');
    const given = messages(2);
    const when = messages(3);
    await processorSpec(counterProcessor({ schema }), sql)
      .given(...given)
      .when([...given, ...when], { times: 3 })
      .then(async ({ deadLetters }) => {
        expect(deadLetters).toEqual([]);
        expect(await byStream(schema)).toEqual({
          [given[0]!.streamName]: [2, 2],
          [when[0]!.streamName]: [3, 3],
        });
      });
  });

  it('one by one, delivered three times, counts once', async () => {
    const schema = schemaName('spec');
    const when = messages(3);
    await processorSpec(counterProcessor({ schema }), sql)
      .given()
      .when(when, { times: 3, oneByOne: true })
      .then(async () => {
        expect(await byStream(schema)).toEqual({ [when[0]!.streamName]: [3, 3] });
      });
  });
});
