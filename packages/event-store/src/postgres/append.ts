/**
 * The append path: validate and canonicalise in Node, queue (group-commit.ts), write. A batch
 * of one append is one statement (append_event or append_events, the idle store's fast path);
 * a batch of several is one call of append_batch (append-batch.ts), one transaction for all.
 * Every append gets its own answer: its result, its own WrongExpectedVersion or
 * IdempotencyConflict, or another go in the next batch when it lost a race.
 */
import { canonicalEvent } from '../hash.js';
import { NotJsonError } from '../jcs.js';
import type { AppendOptions, AppendResult, EventData, ExpectedRevision } from '../port.js';
import { EventStoreError } from '../port.js';
import type { BatchRow } from './append-batch.js';
import { appendBatchSql } from './append-batch.js';
import type { SqlDriver } from './driver.js';
import { sqlState } from './driver.js';
import type { BatchAnswer, GroupCommitStats, Queued } from './group-commit.js';
import { groupCommitter } from './group-commit.js';
import type { AppendRow, InsertedRow } from './sql.js';
import { appendEventSql, appendEventsSql, appendRefusalSql } from './sql.js';

export interface GroupCommitSettings {
  /** Events per transaction at most (default 500); an append larger than that runs alone.
   *  0 turns group commit off: every append is a transaction of its own. */
  readonly maxEvents?: number;
  /** Batches in flight at once (default 4 on a pool, 1 on a single connection): up to that
   *  many appends run side by side as they come; only beyond that do they wait and group. */
  readonly maxInFlight?: number;
}

export interface Appender {
  appendToStream(
    streamName: string,
    events: readonly EventData[],
    options?: AppendOptions,
  ): Promise<AppendResult>;
  /** Takes no more appends; resolves once every append handed in has its answer. */
  close(): Promise<void>;
  stats(): GroupCommitStats;
}

/** Attempts of one append that keeps losing races on its stream before it gives up. */
const MAX_ATTEMPTS = 100;
/** How long a batch waits for another transaction's row before it fails and its appends run
 *  again alone (the one that needs the row then waits for it by itself). */
const BATCH_LOCK_TIMEOUT = '100ms';
/** Appends of several events per batch at most: each is a subtransaction, and more than 64 in
 *  one transaction overflow PostgreSQL's per-session cache of them. */
const MAX_MULTI_EVENT_APPENDS = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A NUL character in canonical JSON is always the escape \u0000 after an even run of backslashes.
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

const invalid = (reason: string): EventStoreError =>
  new EventStoreError({ tag: 'InvalidEvent', reason });

function expectedParam(expected: ExpectedRevision): string {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') {
    return expected;
  }
  if (typeof expected === 'bigint' && expected >= 0n) return expected.toString();
  throw invalid(`expectedRevision must be any, no_stream, stream_exists or a bigint >= 0`);
}

interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  /** Canonical JSON of { data, eventId, metadata, type }: stored as is and hashed. */
  readonly body: string;
}

interface PendingAppend extends Queued {
  readonly expected: ExpectedRevision;
  readonly expectedText: string;
  readonly events: readonly PreparedEvent[];
}

/** Validates the batch and returns each event with its canonical JSON body. */
function prepareEvents(streamName: string, events: readonly EventData[]): PreparedEvent[] {
  if (typeof streamName !== 'string' || streamName.length === 0 || streamName.includes('\0')) {
    throw invalid('streamName must be a non-empty string without NUL');
  }
  if (!Array.isArray(events)) throw invalid('events must be an array');
  const seen = new Set<string>();
  return events.map((event, i) => {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw invalid(`events[${i}].id must be a UUID`);
    }
    const id = event.id.toLowerCase();
    if (seen.has(id)) throw invalid(`events[${i}].id ${id} appears twice in the batch`);
    seen.add(id);
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw invalid(`events[${i}].type must be a non-empty string`);
    }
    if (event.data === undefined) throw invalid(`events[${i}].data is required (a JSON value)`);
    let body: string;
    try {
      body = canonicalEvent({ ...event, id });
    } catch (error) {
      if (error instanceof NotJsonError) throw invalid(`events[${i}]: ${error.message}`);
      throw error;
    }
    if (body.includes('\\u0000') && NUL_ESCAPE.test(body)) {
      throw invalid(`events[${i}] holds a NUL character, which PostgreSQL text cannot store`);
    }
    return { id, type: event.type, body };
  });
}

const position = (transactionId: string | null, sequence: string | null) => ({
  transactionId: BigInt(transactionId ?? '0'),
  sequence: BigInt(sequence ?? '0'),
});

/** One append's answer, from its row (append_batch's, or append_refusal's). */
function answerOf(
  row: AppendRow | BatchRow | undefined,
  append: PendingAppend,
): BatchAnswer<AppendResult> {
  if (row === undefined) return { error: new Error('the append returned no answer') };
  switch (row.o_status) {
    case 'appended':
    case 'ok':
    case 'idempotent':
      return {
        ok: {
          nextExpectedRevision: BigInt(row.o_revision ?? '-1'),
          idempotent: row.o_status === 'idempotent',
          position: position(row.o_transaction_id, row.o_position),
        },
      };
    case 'wrong_expected_version':
      return {
        error: new EventStoreError({
          tag: 'WrongExpectedVersion',
          streamName: append.streamName,
          expected: append.expected,
          actual: row.o_revision === null ? 'no_stream' : BigInt(row.o_revision),
        }),
      };
    case 'idempotency_conflict':
      return {
        error: new EventStoreError({
          tag: 'IdempotencyConflict',
          streamName: append.streamName,
          eventId: row.o_event_id ?? '',
          reason: row.o_reason ?? 'idempotency conflict',
        }),
      };
    case 'retry':
      return { retry: true };
    default: {
      const unknown: never = row;
      return { error: new Error(`the append returned ${JSON.stringify(unknown)}`) };
    }
  }
}

export function createAppender(
  driver: SqlDriver,
  schema: string,
  onWritten: () => void,
  settings: GroupCommitSettings = {},
): Appender {
  const oneEvent = { text: appendEventSql(schema), name: `es_append_event_${schema}` };
  const manyEvents = { text: appendEventsSql(schema), name: `es_append_events_${schema}` };
  const batchOf = { text: appendBatchSql(schema), name: `es_append_batch_${schema}` };
  const refusalText = appendRefusalSql(schema);
  // On one connection the batch may run inside a caller's transaction, which a lock timeout
  // would abort whole (and PGlite, the other single connection, has no one else to wait for).
  const lockTimeout = driver.session === undefined ? null : BATCH_LOCK_TIMEOUT;

  /** The idle store's path: one append, one statement. */
  const runAlone = async (append: PendingAppend): Promise<BatchAnswer<AppendResult>> => {
    const { streamName, expectedText, events } = append;
    const ids = events.map((e) => e.id);
    const single = events.length === 1 ? events[0] : undefined;
    if (events.length > 0) {
      const [sql, params] = single
        ? [oneEvent, [streamName, expectedText, single.id, single.type, single.body]]
        : [
            manyEvents,
            [streamName, expectedText, ids, events.map((e) => e.type), events.map((e) => e.body)],
          ];
      let inserted: InsertedRow[];
      try {
        inserted = (await driver.query<InsertedRow>(sql.text, params, { name: sql.name })).rows;
      } catch (error) {
        // unique_violation: a concurrent append took this revision (or one of these ids)
        // first; it has committed by now, so run again on a fresh snapshot.
        // serialization_failure: a concurrent append that got a newer transaction id
        // committed first on this stream; this statement wrote nothing, and run again it
        // gets a newer id.
        const state = sqlState(error);
        if (state === '23505' || state === '40001') return { retry: true };
        throw error;
      }
      let last: InsertedRow | undefined;
      for (const row of inserted) {
        if (!last || BigInt(row.revision) > BigInt(last.revision)) last = row;
      }
      if (last) {
        return {
          ok: {
            nextExpectedRevision: BigInt(last.revision),
            idempotent: false,
            position: position(last.transaction_id, last.position),
          },
        };
      }
    }
    // Nothing inserted: a retry of stored events, a wrong expected revision, or an empty batch.
    const { rows } = await driver.query<AppendRow>(refusalText, [streamName, expectedText, ids]);
    return answerOf(rows[0], append);
  };

  /** Several appends, one statement: append_batch answers each. They go sorted by stream (a
   *  stable sort: one stream's appends keep their order), so that two processes' batches take
   *  their rows in the same order and never wait for each other in a cycle. */
  const runTogether = async (
    batch: readonly PendingAppend[],
  ): Promise<BatchAnswer<AppendResult>[]> => {
    const sorted = [...batch].sort((a, b) =>
      a.streamName < b.streamName ? -1 : a.streamName > b.streamName ? 1 : 0,
    );
    const events = sorted.flatMap((a) => a.events);
    const { rows } = await driver.query<BatchRow>(
      batchOf.text,
      [
        sorted.map((a) => a.streamName),
        sorted.map((a) => a.expectedText),
        sorted.map((a) => a.events.length),
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.body),
        lockTimeout,
      ],
      { name: batchOf.name },
    );
    const byAppend = new Map(rows.map((row) => [sorted[Number(row.o_index) - 1], row]));
    return batch.map((append) => answerOf(byAppend.get(append), append));
  };

  const committer = groupCommitter<PendingAppend, AppendResult>(
    async (batch) => {
      try {
        const first = batch[0];
        return batch.length === 1 && first ? [await runAlone(first)] : await runTogether(batch);
      } finally {
        onWritten();
      }
    },
    {
      maxEvents: settings.maxEvents ?? 500,
      maxInFlight: settings.maxInFlight ?? (driver.session === undefined ? 1 : 4),
      maxAttempts: MAX_ATTEMPTS,
      maxMultiEventAppends: MAX_MULTI_EVENT_APPENDS,
      // On one connection inside a caller's transaction, a failed batch aborted that
      // transaction: the reruns can only say so, and the batch's own error is the news.
      rerunFailed: (error, batchFailure) => (sqlState(error) === '25P02' ? batchFailure : error),
    },
  );

  return {
    async appendToStream(streamName, events, options = {}) {
      const expected = options.expectedRevision ?? 'any';
      const expectedText = expectedParam(expected);
      const prepared = prepareEvents(streamName, events);
      return committer.submit(
        { streamName, eventCount: prepared.length, expected, expectedText, events: prepared },
        options.signal,
      );
    },
    close: () => committer.close(new Error('the event store is closed')),
    stats: () => committer.stats(),
  };
}
