/**
 * The batch applier (apply-batch.ts) on PostgreSQL, driven directly: a counter processor that
 * is not idempotent by itself (testing/counter-processor.ts), a dead-letter sink that writes
 * in the committing transaction (so a rolled-back letter leaves no row), and a `Progress` the
 * test controls: it records each call with what its transaction sees, and can be fenced off.
 *
 * Every test gets a fresh processor schema, dropped after it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ArticleEventMessage } from '@newsroom/contracts';
import { pgDriver } from '@newsroom/event-store';
import type { SqlDriver, SqlQueryable } from '@newsroom/event-store';
import { createBatchApplier, UnreadableMessageError } from './apply-batch.js';
import type { Progress } from './apply-batch.js';
import type { DeadLetter, DeadLetterSink } from './dead-letters.js';
import { receivedDelivery } from './delivery.js';
import type { Delivery } from './delivery.js';
import { processorMetrics } from './metrics.js';
import type { Processor } from './processor.js';
import type { RetryPolicy } from './retry.js';
import { articleMessages } from './spec.js';
import { initProcessor } from './sql/init-processor.js';
import { FencedOffError } from './sql/move-progress.js';
import { counterProcessor } from './testing/counter-processor.js';
import type { CounterProcessorOptions } from './testing/counter-processor.js';
import { schemaName, submitted } from './testing/events.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = 'counter';

// --- messages and deliveries -----------------------------------------------------------------------

/** A new article stream of `count` messages. */
const stream = (count: number): ArticleEventMessage[] => {
  const id = randomUUID();
  return articleMessages(
    id,
    Array.from({ length: count }, () => submitted(id)),
  );
};

type Two = [ArticleEventMessage, ArticleEventMessage];
type Three = [...Two, ArticleEventMessage];

let offset = 0;
const origin = () =>
  ({
    kind: 'kafka',
    topic: 'test',
    partition: 0,
    offset: String(offset++),
    group: 'test',
  }) as const;

/** As a broker hands it over: the message's JSON, keyed by its article. */
const delivered = (m: ArticleEventMessage): Delivery =>
  receivedDelivery({
    key: m.articleId,
    value: JSON.stringify(m),
    eventType: m.event.type,
    origin: origin(),
  });

/** A value that is not even JSON, for an event type the processor handles. */
const undecodable = (articleId = randomUUID()): Delivery =>
  receivedDelivery({
    key: articleId,
    value: 'not json',
    eventType: 'SubmittedForReview.v1',
    origin: origin(),
  });

const at = (m: ArticleEventMessage) => `${m.streamName}@${m.revision}`;

/** What a handler throws when the database is away: a SQLSTATE of class 08. */
const connectionFailure = () => Object.assign(new Error('connection failure'), { code: '08006' });

// --- the database ------------------------------------------------------------------------------

let pool: pg.Pool;
let sql: SqlDriver;
beforeAll(() => {
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
  sql = pgDriver(pool);
});
afterAll(async () => {
  await pool?.end();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  }
});

const freshSchema = () => schemaName('apply');

interface ProgressCall {
  readonly kind: 'move' | 'check';
  /** Effect rows its transaction sees (its own uncommitted ones included). */
  readonly effects: number;
}

/**
 * A bench: the processor made for a fresh schema, its applier, a dead-letter table written by
 * the sink inside the committing transaction, and a progress whose every call is recorded.
 * With `fencedFromCheck: n`, the n-th check and every call after it throw FencedOffError, as
 * a real token would once another instance took over.
 */
const bench = async (
  options: {
    readonly processor?: (schema: string) => Processor;
    readonly counter?: Omit<CounterProcessorOptions, 'schema'>;
    readonly retry?: RetryPolicy;
    readonly fencedFromCheck?: number;
  } = {},
) => {
  const schema = freshSchema();
  cleanups.push(() => sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  const processor =
    options.processor?.(schema) ?? counterProcessor({ schema, name: NAME, ...options.counter });
  await initProcessor(sql, processor);
  await sql.query(
    `CREATE TABLE "${schema}".letters
       (stream_name text NOT NULL, revision bigint, reason text NOT NULL, attempts int NOT NULL)`,
  );

  /** Every letter handed to `record`, committed or not. */
  const recorded: DeadLetter[] = [];
  const deadLetters: DeadLetterSink = {
    record: async (tx, letters) => {
      recorded.push(...letters);
      for (const l of letters) {
        await tx.query(
          `INSERT INTO "${schema}".letters (stream_name, revision, reason, attempts)
           VALUES ($1, $2::bigint, $3, $4)`,
          [l.delivery.streamName, l.delivery.revision ?? null, l.reason, l.attempts],
        );
      }
    },
  };

  const calls: ProgressCall[] = [];
  let checks = 0;
  let fenced = false;
  const call = (kind: ProgressCall['kind']) => async (tx: SqlQueryable) => {
    if (kind === 'check') checks++;
    if (options.fencedFromCheck !== undefined && checks >= options.fencedFromCheck) fenced = true;
    const { rows } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".effects`,
    );
    calls.push({ kind, effects: rows[0]!.n });
    if (fenced) throw new FencedOffError(NAME);
  };
  const progress: Progress = { move: call('move'), check: call('check') };

  const registry = new Registry();
  const apply = createBatchApplier({
    processor,
    sql,
    deadLetters,
    retry: options.retry ?? { attempts: 2, initialDelayMs: 1, maxDelayMs: 4 },
    metrics: processorMetrics(registry),
    log: () => undefined,
    stopping: () => false,
  });

  return {
    apply: (deliveries: readonly Delivery[]) => apply(deliveries, progress),
    calls,
    recorded,
    /** Committed dead letters. */
    letters: async () =>
      (
        await sql.query<{
          stream_name: string;
          revision: string | null;
          reason: string;
          attempts: number;
        }>(
          `SELECT stream_name, revision::text AS revision, reason, attempts
             FROM "${schema}".letters ORDER BY stream_name, revision`,
        )
      ).rows,
    /** Committed counts per stream. */
    counts: async (): Promise<Record<string, number>> =>
      Object.fromEntries(
        (
          await sql.query<{ stream_name: string; applied: number }>(
            `SELECT stream_name, applied FROM "${schema}".counts`,
          )
        ).rows.map((r) => [r.stream_name, r.applied]),
      ),
    /** Committed effect rows, as `stream@revision`, one per row. */
    effects: async (): Promise<string[]> =>
      (
        await sql.query<{ at: string }>(
          `SELECT stream_name || '@' || revision AS at FROM "${schema}".effects ORDER BY 1`,
        )
      ).rows.map((r) => r.at),
    marks: async (): Promise<Record<string, string>> =>
      Object.fromEntries(
        (
          await sql.query<{ stream_name: string; revision: string }>(
            `SELECT stream_name, revision::text AS revision FROM "${schema}".processor_marks`,
          )
        ).rows.map((r) => [r.stream_name, r.revision]),
      ),
    failures: async (kind: 'message' | 'systemic') => {
      const metric = (await registry.getMetricsAsJSON()).find(
        (m) => m.name === 'processor_failures_total',
      );
      return metric?.values.find((v) => v.labels['kind'] === kind)?.value ?? 0;
    },
  };
};

/** A counter whose `handle` first runs `before` with the batch (which may throw). */
const wrapped =
  (before: (batch: readonly ArticleEventMessage[]) => void) =>
  (schema: string): Processor => {
    const inner = counterProcessor({ schema, name: NAME });
    return {
      ...inner,
      handle: async (batch, context) => {
        before(batch);
        return inner.handle(batch, context);
      },
    };
  };

// --- the tests -----------------------------------------------------------------------------------

describe('a message its handler keeps failing on (PostgreSQL)', () => {
  it('splits the batch, dead-letters that one, applies the others once; only the last commit moves the progress, every single one checks the token', async () => {
    const [s0, s1, s2] = stream(3) as Three;
    const [t0] = stream(1) as [ArticleEventMessage];
    const b = await bench({
      counter: {
        onApplied: async (m) => {
          if (at(m) === at(s1)) throw new Error('poisoned');
        },
      },
    });

    const outcome = await b.apply([s0, s1, s2, t0].map(delivered));

    expect(outcome).toEqual({ applied: 3, stop: undefined, moved: true });
    expect(await b.effects()).toEqual([at(s0), at(s2), at(t0)].sort());
    expect(await b.counts()).toEqual({ [s0.streamName]: 2, [t0.streamName]: 1 });
    const letters = await b.letters();
    expect(letters).toEqual([
      {
        stream_name: s1.streamName,
        revision: '1',
        reason: expect.stringMatching(/^handler failed 2 times: Error: poisoned/),
        attempts: 2,
      },
    ]);
    expect(b.recorded).toHaveLength(1); // handed to the sink once, in the commit that kept it
    expect(await b.marks()).toEqual({ [s0.streamName]: '2', [t0.streamName]: '0' });

    // One check per single commit, inside it (it sees that commit's own writes: s0, then the
    // letter's commit adds none, then s2, then t0); one move, last, seeing them all.
    expect(b.calls).toEqual([
      { kind: 'check', effects: 1 },
      { kind: 'check', effects: 1 },
      { kind: 'check', effects: 2 },
      { kind: 'check', effects: 3 },
      { kind: 'move', effects: 3 },
    ]);
  });

  it('fenced off part way through the split: rejects, keeps at most the first single, records no letter after the fence', async () => {
    const [s0, s1, s2] = stream(3) as Three;
    const applied: string[] = [];
    const b = await bench({
      fencedFromCheck: 2, // the second single commit: the one that would dead-letter s1
      counter: {
        onApplied: async (m) => {
          applied.push(at(m));
          if (at(m) === at(s1)) throw new Error('poisoned');
        },
      },
    });

    await expect(b.apply([s0, s1, s2].map(delivered))).rejects.toBeInstanceOf(FencedOffError);

    expect(await b.effects()).toEqual([at(s0)]);
    expect(await b.counts()).toEqual({ [s0.streamName]: 1 });
    expect(await b.marks()).toEqual({ [s0.streamName]: '0' });
    // The letter was written in the transaction the fence refused, and rolled back with it.
    expect(b.recorded.map((l) => l.delivery.revision)).toEqual(['1']);
    expect(await b.letters()).toEqual([]);
    expect(b.calls.map((c) => c.kind)).toEqual(['check', 'check']); // no move, nothing after
    expect(applied).not.toContain(at(s2)); // nothing was tried after the fence
  });
});

describe('an undecodable delivery (PostgreSQL)', () => {
  it("holds a processor with undecodable: 'hold': rejects with UnreadableMessageError and commits nothing of the batch", async () => {
    const [s0, s1] = stream(2) as Two;
    let handled = 0;
    const b = await bench({
      processor: (schema) => ({
        ...wrapped(() => void handled++)(schema),
        undecodable: 'hold',
      }),
    });

    const bad = undecodable();
    const error: unknown = await b.apply([delivered(s0), bad, delivered(s1)]).catch((e) => e);
    expect(error).toBeInstanceOf(UnreadableMessageError);
    expect((error as Error).message).toMatch(`${bad.streamName}@? cannot be read: not JSON`);

    expect(handled).toBe(0);
    expect(await b.counts()).toEqual({});
    expect(await b.marks()).toEqual({});
    expect(await b.letters()).toEqual([]);
    expect(b.recorded).toEqual([]);
    expect(b.calls).toEqual([]);
    expect(await b.failures('message')).toBe(1);
  });

  it('by default dead-letters it and applies the rest of the batch', async () => {
    const [s0, s1] = stream(2) as Two;
    const b = await bench();

    const bad = undecodable();
    const outcome = await b.apply([delivered(s0), bad, delivered(s1)]);

    expect(outcome).toEqual({ applied: 2, stop: undefined, moved: true });
    expect(await b.counts()).toEqual({ [s0.streamName]: 2 });
    expect(await b.letters()).toEqual([
      {
        stream_name: bad.streamName,
        revision: null,
        reason: expect.stringMatching(/^undecodable: not JSON/),
        attempts: 0,
      },
    ]);
    expect(b.calls).toEqual([{ kind: 'move', effects: 2 }]);
  });
});

describe('message failures and systemic failures are counted apart (PostgreSQL)', () => {
  it('a systemic failure (SQLSTATE 08006) three times, then success: applied, nothing dead-lettered', async () => {
    const batch = stream(2);
    const sizes: number[] = [];
    const b = await bench({
      retry: { attempts: 5, initialDelayMs: 1, maxDelayMs: 4 },
      processor: wrapped((handed) => {
        sizes.push(handed.length);
        if (sizes.length <= 3) throw connectionFailure();
      }),
    });

    const outcome = await b.apply(batch.map(delivered));

    expect(outcome).toEqual({ applied: 2, stop: undefined, moved: true });
    expect(sizes).toEqual([2, 2, 2, 2]); // never split
    expect(await b.counts()).toEqual({ [batch[0]!.streamName]: 2 });
    expect(await b.letters()).toEqual([]);
    expect(b.recorded).toEqual([]);
    expect(await b.failures('systemic')).toBe(3);
    expect(await b.failures('message')).toBe(0);
  });

  it('interleaved, neither kind reaches its own limit: applied whole, though the failures together exceed the attempts', async () => {
    const batch = stream(2);
    const sizes: number[] = [];
    const failures = [new Error('bad'), connectionFailure(), new Error('bad'), connectionFailure()];
    const b = await bench({
      retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 4 },
      processor: wrapped((handed) => {
        const failure = failures[sizes.length];
        sizes.push(handed.length);
        if (failure !== undefined) throw failure;
      }),
    });

    const outcome = await b.apply(batch.map(delivered));

    expect(outcome).toEqual({ applied: 2, stop: undefined, moved: true });
    expect(sizes).toEqual([2, 2, 2, 2, 2]); // 4 failures, attempts 3: never split
    expect(await b.counts()).toEqual({ [batch[0]!.streamName]: 2 });
    expect(await b.letters()).toEqual([]);
    expect(await b.failures('systemic')).toBe(2);
    expect(await b.failures('message')).toBe(2);
  });

  it('a lost connection (no code) every time is never dead-lettered: after the attempts apply rejects for the runtime', async () => {
    const batch = stream(2);
    const sizes: number[] = [];
    const b = await bench({
      retry: { attempts: 5, initialDelayMs: 1, maxDelayMs: 4 },
      processor: wrapped((handed) => {
        sizes.push(handed.length);
        throw new Error('Connection terminated unexpectedly');
      }),
    });

    await expect(b.apply(batch.map(delivered))).rejects.toThrow(
      /^Connection terminated unexpectedly$/,
    );

    expect(sizes).toEqual([2, 2, 2, 2, 2]); // the whole batch, `attempts` times: never split
    expect(await b.letters()).toEqual([]);
    expect(b.recorded).toEqual([]);
    expect(await b.counts()).toEqual({});
    expect(await b.marks()).toEqual({});
    expect(b.calls).toEqual([]);
    expect(await b.failures('systemic')).toBe(5);
    expect(await b.failures('message')).toBe(0);
  });
});
