/**
 * Event store append/read benchmark on real PostgreSQL (DATABASE_URL, default the local `test`
 * database). Creates a fresh schema, measures, drops it, prints one JSON document.
 *
 * - single-event appends with 1, 4 and 16 concurrent writers, each on its own stream, each
 *   append with the exact expected revision (what a command handler does);
 * - the ceiling: the same writers sending a plain INSERT of the same payload into a bare table
 *   (a bigserial primary key and nothing else), in the same run on the same database;
 * - ratio = store events/s / ceiling events/s;
 * - batch appends of 100 events; readAll throughput.
 *
 * Each case runs for CASE_SECONDS (default 3) after a short warm-up; cases alternate store and
 * ceiling ROUNDS times (default 2) and report the median round, so that background work
 * (checkpoints, autovacuum) does not land on one side only.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { EventData } from '../packages/event-store/src/index.js';
import { createPostgresEventStore, pgDriver } from '../packages/event-store/src/index.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CASE_SECONDS = Number(process.env.CASE_SECONDS ?? 3);
const WARMUP_SECONDS = Number(process.env.WARMUP_SECONDS ?? 0.5);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const WRITERS = [1, 4, 16];

const fixture = JSON.parse(
  readFileSync(
    new URL('../tests/fixtures/haiphong-portal-2019-04-08.json', import.meta.url),
    'utf8',
  ),
) as { headline: string; blocks: { text?: string }[] };
const paragraph = fixture.blocks.find((b) => (b.text ?? '').length > 300)?.text ?? '';

/** A realistic article event: the headline and one paragraph of the seed article (~1 KB). */
function payload(i: number): { data: unknown; metadata: unknown } {
  return {
    data: { articleId: randomUUID(), headline: fixture.headline, body: paragraph, version: i },
    metadata: { actor: 'editor-7', role: 'editor', correlationId: randomUUID() },
  };
}

interface CaseResult {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? 0
    : (sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Runs `writers` loops calling op(writer, i) until the deadline; op returns events written. */
async function timed(
  writers: number,
  seconds: number,
  op: (writer: number, i: number) => Promise<number>,
): Promise<CaseResult> {
  const latencies: number[] = [];
  let events = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const written = await op(w, i); // not `events += await`: that reads `events` before awaiting
        latencies.push(performance.now() - t0);
        events += written;
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    events,
    seconds: round(elapsed, 2),
    eventsPerSecond: Math.round(events / elapsed),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
  };
}

const median = (results: CaseResult[]): CaseResult => {
  const sorted = [...results].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)] as CaseResult;
};

async function main(): Promise<void> {
  const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 20 });
  const started = Date.now();
  try {
    const server = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]
      ?.server_version;
    const store = await createPostgresEventStore({ driver: pgDriver(pool), schema });
    // The same row content the store keeps (stream, revision, id, type, the JSON body, a
    // timestamp), with a bigserial primary key and no other constraint, index or check.
    await pool.query(
      `CREATE TABLE "${schema}".ceiling (
         id bigserial PRIMARY KEY, stream_name text, revision bigint, event_id uuid,
         event_type text, body json, recorded_at timestamptz DEFAULT now())`,
    );
    // Open every connection before measuring.
    await Promise.all(Array.from({ length: 20 }, () => pool.query('SELECT 1')));

    let runId = 0;
    const storeCase = async (writers: number, seconds: number): Promise<CaseResult> => {
      const run = runId++;
      const heads = new Array<bigint | 'no_stream'>(writers).fill('no_stream');
      return timed(writers, seconds, async (w) => {
        const { data, metadata } = payload(0);
        const event: EventData = { id: randomUUID(), type: 'DraftRevised', data, metadata };
        const result = await store.appendToStream(`article-bench-${run}-${w}`, [event], {
          expectedRevision: heads[w] ?? 'no_stream',
        });
        heads[w] = result.nextExpectedRevision;
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

    const single: Record<string, unknown> = {};
    for (const writers of WRITERS) {
      await storeCase(writers, WARMUP_SECONDS);
      await ceilingCase(writers, WARMUP_SECONDS);
      const storeRuns: CaseResult[] = [];
      const ceilingRuns: CaseResult[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        // Alternate which side goes first so that neither always follows the other.
        if (r % 2 === 0) {
          storeRuns.push(await storeCase(writers, CASE_SECONDS));
          ceilingRuns.push(await ceilingCase(writers, CASE_SECONDS));
        } else {
          ceilingRuns.push(await ceilingCase(writers, CASE_SECONDS));
          storeRuns.push(await storeCase(writers, CASE_SECONDS));
        }
      }
      const s = median(storeRuns);
      const c = median(ceilingRuns);
      single[`writers${writers}`] = {
        store: s,
        ceiling: c,
        ratio: round(s.eventsPerSecond / c.eventsPerSecond),
        storeRounds: storeRuns.map((x) => x.eventsPerSecond),
        ceilingRounds: ceilingRuns.map((x) => x.eventsPerSecond),
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

    // readAll: the whole log from the start, pages of 1000 (what a catching-up subscriber does).
    const t0 = performance.now();
    let read = 0;
    let from = { transactionId: 0n, sequence: 0n };
    for (;;) {
      const page = await store.readAll({ fromPosition: from, maxCount: 1000 });
      read += page.length;
      const last = page[page.length - 1];
      if (!last || page.length < 1000) break;
      from = last.position;
    }
    const readSeconds = (performance.now() - t0) / 1000;

    await store.close();
    console.log(
      JSON.stringify(
        {
          bench: 'event-store',
          server: `PostgreSQL ${server}`,
          cores: (await import('node:os')).availableParallelism(),
          caseSeconds: CASE_SECONDS,
          rounds: ROUNDS,
          payloadBytes: Buffer.byteLength(JSON.stringify(payload(0))),
          singleEventAppends: single,
          batchAppends100: batch,
          readAll: {
            events: read,
            seconds: round(readSeconds, 2),
            eventsPerSecond: Math.round(read / readSeconds),
          },
          totalSeconds: round((Date.now() - started) / 1000, 1),
        },
        null,
        2,
      ),
    );
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
