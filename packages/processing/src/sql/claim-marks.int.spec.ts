/**
 * Processed marks (claim-marks.ts) on a real database: within one batch a message repeated, or
 * one behind its stream's last, is passed over (the running mark), a new stream gets a mark
 * row, and two transactions claiming a stream new to both at once cannot both apply it.
 *
 * Every test gets a fresh processor schema, dropped after it.
 */
import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ArticleEventMessage } from '@newsroom/contracts';
import { pgDriver, pgliteDriver } from '@newsroom/event-store';
import type { SqlDriver } from '@newsroom/event-store';
import { articleMessages } from '../spec.js';
import { counterProcessor } from '../testing/counter-processor.js';
import { claimMarks, MarkConflictError } from './claim-marks.js';
import { initProcessor } from './init-processor.js';
import { schemaName, submitted } from '../testing/events.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const NAME = 'counter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds; fails naming `what` after `timeoutMs`. */
const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
};

// --- messages ----------------------------------------------------------------------------------

/** A stream's messages at the given revisions, in that order (repeats allowed). */
const at = (articleId: string, ...revisions: number[]): ArticleEventMessage[] =>
  revisions.flatMap((revision) =>
    articleMessages(articleId, [submitted(articleId)], { fromRevision: revision }),
  );

const revisionsOf = (messages: readonly ArticleEventMessage[]) =>
  messages.map((m) => `${m.articleId}@${m.revision}`);

// --- databases ---------------------------------------------------------------------------------

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed', error));
  }
});

const freshSchema = () => schemaName('marks');

let pglite: Promise<PGlite> | undefined;
let pool: pg.Pool | undefined;
afterAll(async () => {
  await (await pglite)?.close();
  await pool?.end();
});

/** The application name of this file's connections, to find them in pg_stat_activity. */
const APPLICATION = `claim-marks-${randomUUID().slice(0, 8)}`;

const drivers = {
  pglite: async () => pgliteDriver(await (pglite ??= PGlite.create())),
  postgres: async () => {
    pool ??= new pg.Pool({ connectionString: DATABASE_URL, max: 4, application_name: APPLICATION });
    return pgDriver(pool);
  },
} as const;

/** A fresh schema with the bookkeeping tables (and the counter's own, unused here). */
const setUp = async (kind: keyof typeof drivers) => {
  const sql = await drivers[kind]();
  const schema = freshSchema();
  cleanups.push(() => sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  await initProcessor(sql, counterProcessor({ schema, name: NAME }));
  const marks = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (
        await sql.query<{ stream_name: string; revision: string }>(
          `SELECT stream_name, revision::text AS revision FROM "${schema}".processor_marks
            WHERE processor = $1`,
          [NAME],
        )
      ).rows.map((r) => [r.stream_name, r.revision]),
    );
  const setMark = (stream: string, revision: number) =>
    sql.query(
      `INSERT INTO "${schema}".processor_marks (processor, stream_name, revision) VALUES ($1, $2, $3)`,
      [NAME, stream, revision],
    );
  const claim = (messages: readonly ArticleEventMessage[]) =>
    sql.transaction((tx) => claimMarks(tx, schema, NAME, messages));
  return { sql, schema, marks, setMark, claim };
};

// --- within one batch ----------------------------------------------------------------------------

describe.each(['postgres', 'pglite'] as const)('claimMarks within one batch (%s)', (kind) => {
  it('a batch holding the same messages twice gives them back once and moves the mark to the last', async () => {
    const { marks, setMark, claim } = await setUp(kind);
    const s = randomUUID();
    const stream = `article-${s}`;
    await setMark(stream, 4);

    const fresh = await claim(at(s, 5, 6, 5, 6));

    expect(revisionsOf(fresh)).toEqual([`${s}@5`, `${s}@6`]);
    expect(await marks()).toEqual({ [stream]: '6' });
  });

  it('drops a message behind its stream’s last in the batch; keeps a new stream’s and creates its mark', async () => {
    const { marks, setMark, claim } = await setUp(kind);
    const s = randomUUID();
    const t = randomUUID();
    await setMark(`article-${s}`, 4);

    const fresh = await claim([...at(s, 7, 6), ...at(t, 0, 1)]);

    expect(revisionsOf(fresh)).toEqual([`${s}@7`, `${t}@0`, `${t}@1`]);
    expect(await marks()).toEqual({ [`article-${s}`]: '7', [`article-${t}`]: '1' });
    // And claimed again (a redelivery), all of it is passed over and nothing moves.
    expect(await claim([...at(s, 6, 7), ...at(t, 1)])).toEqual([]);
    expect(await marks()).toEqual({ [`article-${s}`]: '7', [`article-${t}`]: '1' });
  });
});

// --- two transactions at once ------------------------------------------------------------------------

describe('claimMarks from two transactions at once (PostgreSQL)', () => {
  it('the second to claim a stream new to both waits on the first’s insert, then throws MarkConflictError', async () => {
    const { sql, schema, marks, claim } = await setUp('postgres');
    const s = randomUUID();
    const stream = `article-${s}`;

    // The first claims s@0..1 and holds its transaction open.
    let releaseFirst!: () => void;
    const released = new Promise<void>((resolve) => (releaseFirst = resolve));
    let claimedFirst!: (fresh: readonly ArticleEventMessage[]) => void;
    const firstClaimed = new Promise<readonly ArticleEventMessage[]>(
      (resolve) => (claimedFirst = resolve),
    );
    cleanups.push(async () => releaseFirst()); // a failed test must not leave it open
    const first = sql.transaction(async (tx) => {
      const fresh = await claimMarks(tx, schema, NAME, at(s, 0, 1));
      claimedFirst(fresh);
      await released;
      return fresh;
    });
    expect(revisionsOf(await firstClaimed)).toEqual([`${s}@0`, `${s}@1`]);

    // The second finds no mark (none is committed) and inserts one: it waits on the first's.
    let settled = false;
    const second = claim(at(s, 0, 1, 2)).finally(() => (settled = true));
    second.catch(() => undefined); // awaited below
    await until('the second waits for a lock', async () => (await lockWaiters(sql)) > 0);
    expect(settled).toBe(false);

    releaseFirst(); // the first commits its mark
    await first;
    await expect(second).rejects.toBeInstanceOf(MarkConflictError);
    expect(await marks()).toEqual({ [stream]: '1' }); // the first's; the second rolled back

    // Retried (as the batch applier does), it now sees the first's mark.
    expect(revisionsOf(await claim(at(s, 0, 1, 2)))).toEqual([`${s}@2`]);
    expect(await marks()).toEqual({ [stream]: '2' });
  });
});

/** How many of this file's backends wait for a lock. */
const lockWaiters = async (sql: SqlDriver): Promise<number> =>
  Number(
    (
      await sql.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE application_name = $1 AND wait_event_type = 'Lock'`,
        [APPLICATION],
      )
    ).rows[0]?.n,
  );
