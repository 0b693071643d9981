/**
 * Event store append/read benchmark on real PostgreSQL (DATABASE_URL, default the local `test`
 * database). Creates a fresh schema, measures, drops it, prints one JSON document.
 *
 * - single-event appends with 1, 4 and 16 concurrent writers, each on its own stream, each
 *   append with the exact expected revision (what a command handler does);
 * - the ceiling: the same writers sending a plain INSERT of the same payload into a bare table
 *   (a bigserial primary key and nothing else), in the same run on the same database;
 * - ratio = store events/s / ceiling events/s, the median of the rounds' ratios (each round
 *   runs the cases back to back, so a load spike from elsewhere on the machine hits one round,
 *   not one side);
 * - the peer: Emmett's PostgreSQL event store (@event-driven-io/emmett-postgresql) with the
 *   same writers and payload on the same database, in a schema of its own; ratioToEmmett;
 * - the store with group commit off (every append a transaction of its own), to show what
 *   group commit adds, and appendsPerTransaction, how many appends shared one;
 * - for the analysis, a plain INSERT into a table shaped like the store's events table (its
 *   three unique indexes, the hashes), without reading the head, checking ids or chaining: how
 *   much of the gap the indexes alone explain;
 * - batch appends of 100 events; readAll from the start (twice: right after the writes, and
 *   again) and a batch subscription catching up from the start.
 *
 * Each case runs for CASE_SECONDS (default 1.2) after a short warm-up; ROUNDS (default 5)
 * rounds per writer count, the order of the cases rotating from round to round.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import type { ExpectedStreamVersion } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import type { EventData } from '../packages/event-store/src/index.js';
import { median, round, timed } from './timing.js';
import type { CaseResult } from './timing.js';
import {
  canonicalEvent,
  createPostgresEventStore,
  pgDriver,
} from '../packages/event-store/src/index.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CASE_SECONDS = Number(process.env.CASE_SECONDS ?? 1.2);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 0.5);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WRITERS = (process.env.WRITERS ?? '1,4,16').split(',').map(Number);

const fixture = JSON.parse(
  readFileSync(
    new URL('../tests/fixtures/haiphong-portal-2019-04-08.json', import.meta.url),
    'utf8',
  ),
) as { headline: string; blocks: { text?: string }[] };
const paragraph = fixture.blocks.find((b) => (b.text ?? '').length > 300)?.text ?? '';

/** A realistic article event: the headline and one paragraph of the seed article (~1 KB). */
function payload(i: number): { data: Record<string, unknown>; metadata: Record<string, unknown> } {
  return {
    data: { articleId: randomUUID(), headline: fixture.headline, body: paragraph, version: i },
    metadata: { actor: 'editor-7', role: 'editor', correlationId: randomUUID() },
  };
}

async function main(): Promise<void> {
  const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const emmettSchema = `${schema}_emmett`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
  let emmettPool: pg.Pool | undefined;
  const started = Date.now();
  const loadAtStart = os.loadavg().map((x) => round(x, 2));
  try {
    const server = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    const store = await createPostgresEventStore({ driver: pgDriver(pool), schema });
    // The same store with group commit off: every append a transaction of its own.
    const ungrouped = await createPostgresEventStore({
      driver: pgDriver(pool),
      schema,
      migrate: false,
      groupCommit: { maxEvents: 0 },
    });
    // The peer: Emmett's PostgreSQL event store, on the same database, in a schema of its own
    // (its tables are unqualified, so search_path puts them there), with a pool of the same size.
    await pool.query(`CREATE SCHEMA "${emmettSchema}"`);
    const emmettUrl = new URL(DATABASE_URL);
    emmettUrl.searchParams.set('options', `-c search_path=${emmettSchema}`);
    emmettPool = new pg.Pool({ connectionString: emmettUrl.toString(), max: 20 });
    const emmett = getPostgreSQLEventStore(emmettUrl.toString(), {
      connectionOptions: { pooled: true, pool: emmettPool },
    });
    await emmett.schema.migrate();
    await Promise.all(Array.from({ length: 20 }, () => emmettPool?.query('SELECT 1')));
    // The same row content the store keeps (stream, revision, id, type, the JSON body, a
    // timestamp), with a bigserial primary key and no other constraint, index or check.
    await pool.query(
      `CREATE TABLE "${schema}".ceiling (
         id bigserial PRIMARY KEY, stream_name text, revision bigint, event_id uuid,
         event_type text, body json, recorded_at timestamptz DEFAULT now())`,
    );
    // The store's table with its indexes and defaults (LIKE copies no triggers).
    await pool.query(
      `CREATE TABLE "${schema}".shaped (LIKE "${schema}".events INCLUDING DEFAULTS INCLUDING INDEXES)`,
    );
    // Open every connection before measuring.
    await Promise.all(Array.from({ length: 20 }, () => pool.query('SELECT 1')));

    let runId = 0;
    const storeCase =
      (on: typeof store) =>
      async (writers: number, seconds: number): Promise<CaseResult> => {
        const run = runId++;
        const heads = new Array<bigint | 'no_stream'>(writers).fill('no_stream');
        return timed(writers, seconds, async (w) => {
          const { data, metadata } = payload(0);
          const event: EventData = { id: randomUUID(), type: 'DraftRevised', data, metadata };
          const result = await on.appendToStream(`article-bench-${run}-${w}`, [event], {
            expectedRevision: heads[w] ?? 'no_stream',
          });
          heads[w] = result.nextExpectedRevision;
          return 1;
        });
      };
    const emmettCase = async (writers: number, seconds: number): Promise<CaseResult> => {
      const run = runId++;
      const heads = new Array<ExpectedStreamVersion>(writers).fill(STREAM_DOES_NOT_EXIST);
      return timed(writers, seconds, async (w) => {
        const { data, metadata } = payload(0);
        const result = await emmett.appendToStream(
          `article-bench-${run}-${w}`,
          [{ type: 'DraftRevised', data, metadata }],
          { expectedStreamVersion: heads[w] ?? STREAM_DOES_NOT_EXIST },
        );
        heads[w] = result.nextExpectedStreamVersion;
        return 1;
      });
    };
    const ceilingCase = async (writers: number, seconds: number): Promise<CaseResult> => {
      const run = runId++;
      const revisions = new Array<number>(writers).fill(0);
      return timed(writers, seconds, async (w) => {
        const { data, metadata } = payload(0);
        const revision = revisions[w] ?? 0;
        revisions[w] = revision + 1;
        const eventId = randomUUID();
        const type = 'DraftRevised';
        await pool.query({
          name: 'bench_ceiling_insert',
          text: `INSERT INTO "${schema}".ceiling (stream_name, revision, event_id, event_type, body)
                 VALUES ($1, $2, $3, $4, $5)`,
          values: [
            `article-bench-${run}-${w}`,
            revision,
            eventId,
            type,
            JSON.stringify({ data, eventId, metadata, type }),
          ],
        });
        return 1;
      });
    };

    const shapedCase = async (writers: number, seconds: number): Promise<CaseResult> => {
      const run = runId++;
      const revisions = new Array<number>(writers).fill(0);
      return timed(writers, seconds, async (w) => {
        const { data, metadata } = payload(0);
        const revision = revisions[w] ?? 0;
        revisions[w] = revision + 1;
        const id = randomUUID();
        const body = canonicalEvent({ id, type: 'DraftRevised', data, metadata });
        await pool.query({
          name: 'bench_shaped_insert',
          text: `INSERT INTO "${schema}".shaped (stream_name, revision, event_id, event_type, body,
                   recorded_at, previous_hash, hash)
                 VALUES ($1, $2, $3, $4, $5::text::json, now(), '\\x00', sha256(convert_to($5::text, 'UTF8')))`,
          values: [`article-bench-${run}-${w}`, revision, id, 'DraftRevised', body],
        });
        return 1;
      });
    };

    const cases = {
      store: storeCase(store),
      ceiling: ceilingCase,
      emmett: emmettCase,
      ungrouped: storeCase(ungrouped),
      shaped: shapedCase,
    } as const;
    type CaseName = keyof typeof cases;
    const order: CaseName[] = ['store', 'ceiling', 'emmett', 'ungrouped', 'shaped'];
    const medianOf = (xs: number[]): number => {
      const sorted = [...xs].sort((a, b) => a - b);
      return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
    };
    const single: Record<string, unknown> = {};
    for (const writers of WRITERS) {
      for (const name of order) await cases[name](writers, WARMUP_SECONDS);
      const runs: Record<CaseName, CaseResult[]> = {
        store: [],
        ceiling: [],
        emmett: [],
        ungrouped: [],
        shaped: [],
      };
      const batchesBefore = store.groupCommitStats();
      for (let r = 0; r < ROUNDS; r++) {
        // Rotate the order so that no case always runs right after another.
        for (let k = 0; k < order.length; k++) {
          const name = order[(r + k) % order.length] as CaseName;
          runs[name].push(await cases[name](writers, CASE_SECONDS));
        }
      }
      const batchesAfter = store.groupCommitStats();
      /** Each round's events/s of `name` over `to`'s (the same round), and their median. */
      const ratiosOf = (name: CaseName, to: CaseName) => {
        const rounds = runs[name].map((x, i) =>
          round(x.eventsPerSecond / (runs[to][i]?.eventsPerSecond ?? Number.NaN)),
        );
        return { median: medianOf(rounds), rounds };
      };
      const toCeiling = ratiosOf('store', 'ceiling');
      const toEmmett = ratiosOf('store', 'emmett');
      single[`writers${writers}`] = {
        store: median(runs.store),
        ceiling: median(runs.ceiling),
        emmett: median(runs.emmett),
        ratio: toCeiling.median,
        ratioToEmmett: toEmmett.median,
        roundRatios: toCeiling.rounds,
        roundRatiosToEmmett: toEmmett.rounds,
        storeRounds: runs.store.map((x) => x.eventsPerSecond),
        ceilingRounds: runs.ceiling.map((x) => x.eventsPerSecond),
        emmettRounds: runs.emmett.map((x) => x.eventsPerSecond),
        appendsPerTransaction: round(
          (batchesAfter.appends - batchesBefore.appends) /
            Math.max(1, batchesAfter.batches - batchesBefore.batches),
          2,
        ),
        withoutGroupCommit: {
          ...median(runs.ungrouped),
          ratioToCeiling: ratiosOf('ungrouped', 'ceiling').median,
        },
        emmettToCeiling: ratiosOf('emmett', 'ceiling').median,
        tableShapeInsert: {
          ...median(runs.shaped),
          ratioToCeiling: ratiosOf('shaped', 'ceiling').median,
        },
      };
    }

    const batch: Record<string, unknown> = {};
    for (const writers of [1, 4]) {
      const run = runId++;
      const heads = new Array<bigint | 'no_stream'>(writers).fill('no_stream');
      const result = await timed(writers, CASE_SECONDS, async (w) => {
        const events: EventData[] = Array.from({ length: 100 }, (_, i) => ({
          id: randomUUID(),
          type: 'DraftRevised',
          ...payload(i),
        }));
        const r = await store.appendToStream(`article-batch-${run}-${w}`, events, {
          expectedRevision: heads[w] ?? 'no_stream',
        });
        heads[w] = r.nextExpectedRevision;
        return events.length;
      });
      batch[`writers${writers}`] = {
        ...result,
        batchesPerSecond: round(result.eventsPerSecond / 100, 1),
      };
    }

    // readAll: the whole log from the start, pages of 1000 (what a catching-up reader does),
    // twice: the first pass right after the writes also sets every new row's hint bits (a
    // write PostgreSQL does once per row), the second is a reader's steady state.
    /** Events read by `read` (which returns how many), timed. */
    const readRate = async (read: () => Promise<number>) => {
      const t0 = performance.now();
      const events = await read();
      const seconds = (performance.now() - t0) / 1000;
      return { events, seconds: round(seconds, 2), eventsPerSecond: Math.round(events / seconds) };
    };
    const readAllPass = () =>
      readRate(async () => {
        let read = 0;
        let from = { transactionId: 0n, sequence: 0n };
        for (;;) {
          const page = await store.readAll({ fromPosition: from, maxCount: 1000 });
          read += page.length;
          const last = page[page.length - 1];
          if (!last || page.length < 1000) return read;
          from = last.position;
        }
      });
    const firstPass = await readAllPass();
    const secondPass = await readAllPass();
    // Catch-up as rebuilds and the relay do it: a batch subscription from the start.
    const catchUp = await readRate(async () => {
      let read = 0;
      await new Promise<void>((resolve, reject) => {
        const sub = store.subscribeToAllInBatches(
          async (batch) => {
            read += batch.length;
            if (read >= secondPass.events) {
              resolve();
              void sub.stop();
            }
          },
          { fromPosition: { transactionId: 0n, sequence: 0n }, batchSize: 1000 },
        );
        sub.done.catch(reject);
      });
      return read;
    });

    await store.close();
    await ungrouped.close();
    await emmett.close();
    console.log(
      JSON.stringify(
        {
          bench: 'event-store',
          server: `PostgreSQL ${server}`,
          cores: os.availableParallelism(),
          loadAverageAtStart: loadAtStart,
          loadAverageAtEnd: os.loadavg().map((x) => round(x, 2)),
          caseSeconds: CASE_SECONDS,
          rounds: ROUNDS,
          payloadBytes: Buffer.byteLength(JSON.stringify(payload(0))),
          singleEventAppends: single,
          batchAppends100: batch,
          readAll: { firstPass, secondPass, catchUp },
          totalSeconds: round((Date.now() - started) / 1000, 1),
        },
        null,
        2,
      ),
    );
  } finally {
    await emmettPool?.end();
    await pool.query(`DROP SCHEMA IF EXISTS "${emmettSchema}" CASCADE`).catch(() => undefined);
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
