/**
 * Group commit's SQL: many appends (any streams, any expected revisions) in one statement, so
 * one transaction and one WAL flush. Each append is checked and inserted on its own, in the
 * order given, and gets its own answer row; one that cannot be written is left out alone, never
 * failing the statement:
 * - a single event is inserted with `ON CONFLICT DO NOTHING` (a concurrent writer that took
 *   its revision or its id leaves it out, without an error);
 * - several events are inserted inside a block of their own (a subtransaction), undone whole
 *   on a unique violation, so an append is written entirely or not at all;
 * - an append that would sort before its stream's last event in readAll (that event's
 *   transaction is newer than this one) is left out as `retry`, to run in the next batch.
 * Whatever was left out is then explained by append_refusal, in the same transaction, so a
 * later append of the batch to the same stream sees the earlier ones; once one append to a
 * stream is to retry, every later one to that stream retries too, so none overtakes it.
 * The caller sends the appends sorted by stream (two processes' batches then wait for each
 * other's rows in one order, never in a cycle), and a wait for another transaction's row
 * gives up after the lock timeout given (on a pool, where the batch is its own transaction):
 * the whole batch fails, and its appends run again alone, so one transaction held open
 * elsewhere never stalls the others for long.
 */
import { quoteIdent } from './driver.js';
import type { AppendRow } from './sql.js';
import { hashInputSql, ZERO_HASH_SQL } from './sql.js';

/** The migration's statement: the function append_batch. */
export function appendBatchFunction(schema: string): string {
  const s = quoteIdent(schema);
  return `CREATE FUNCTION ${s}.append_batch(p_streams text[], p_expected text[],
                                      p_counts integer[], p_ids uuid[], p_types text[],
                                      p_bodies text[], p_lock_timeout text)
  RETURNS TABLE (o_index integer, o_status text, o_revision text, o_transaction_id text,
                 o_position text, o_event_id text, o_reason text)
  LANGUAGE plpgsql AS $fn$
  DECLARE
    v_me xid8 := pg_current_xact_id();
    v_first integer := 1;
    v_last integer;
    v_stream text;
    v_expected text;
    v_rev bigint;
    v_hash bytea;
    v_at timestamptz;
    v_xid xid8;
    v_prev bytea;
    v_next bigint;
    v_hashes bytea[];
    v_position bigint;
    v_refusal record;
    v_retrying text[] := '{}';
    v_lock_timeout text := current_setting('lock_timeout');
  BEGIN
    IF p_lock_timeout IS NOT NULL THEN
      PERFORM set_config('lock_timeout', p_lock_timeout, true);
    END IF;
    FOR i IN 1..coalesce(cardinality(p_streams), 0) LOOP
      v_stream := p_streams[i];
      v_expected := p_expected[i];
      v_last := v_first + p_counts[i] - 1;
      v_position := NULL;
      -- The stream's head (all nulls when it has none), as this statement sees it now.
      SELECT e.revision, e.hash, e.recorded_at, e.transaction_id
        INTO v_rev, v_hash, v_at, v_xid
        FROM ${s}.events e WHERE e.stream_name = v_stream ORDER BY e.revision DESC LIMIT 1;
      IF p_counts[i] > 0
         AND NOT v_stream = ANY (v_retrying)
         AND coalesce(CASE v_expected
                        WHEN 'any' THEN true
                        WHEN 'no_stream' THEN v_rev IS NULL
                        WHEN 'stream_exists' THEN v_rev IS NOT NULL
                        ELSE v_rev::text = v_expected
                      END, false)
         AND (v_xid IS NULL OR v_xid <= v_me) THEN
        v_next := coalesce(v_rev, -1) + 1;
        v_prev := coalesce(v_hash, ${ZERO_HASH_SQL});
        v_at := greatest(date_trunc('milliseconds', clock_timestamp()), v_at);
        IF p_counts[i] = 1 THEN
          INSERT INTO ${s}.events AS x (transaction_id, stream_name, revision, event_id,
                                         event_type, body, recorded_at, previous_hash, hash)
          VALUES (v_me, v_stream, v_next, p_ids[v_first], p_types[v_first],
                  p_bodies[v_first]::json, v_at, v_prev,
                  sha256(v_prev || ${hashInputSql('v_stream', 'v_next', 'v_at', 'p_bodies[v_first]')}))
          ON CONFLICT DO NOTHING
          RETURNING x.position INTO v_position;
        ELSE
          BEGIN
            v_hashes := ${s}.chain_hashes(v_prev, v_stream, v_next, v_at,
                                           p_bodies[v_first:v_last]);
            WITH inserted AS (
              INSERT INTO ${s}.events AS x (transaction_id, stream_name, revision, event_id,
                                             event_type, body, recorded_at, previous_hash, hash)
              SELECT v_me, v_stream, v_next + u.ord - 1, u.id, u.type, u.body::json, v_at,
                     CASE WHEN u.ord = 1 THEN v_prev ELSE v_hashes[u.ord - 1] END,
                     v_hashes[u.ord]
                FROM unnest(p_ids[v_first:v_last], p_types[v_first:v_last],
                            p_bodies[v_first:v_last]) WITH ORDINALITY AS u(id, type, body, ord)
               ORDER BY u.ord
              RETURNING x.position)
            SELECT max(inserted.position) INTO v_position FROM inserted;
          EXCEPTION WHEN unique_violation THEN
            v_position := NULL;
          END;
        END IF;
      END IF;
      o_index := i;
      IF v_position IS NOT NULL THEN
        o_status := 'appended';
        o_revision := (v_next + p_counts[i] - 1)::text;
        o_transaction_id := v_me::text;
        o_position := v_position::text;
        o_event_id := NULL;
        o_reason := NULL;
      ELSIF v_stream = ANY (v_retrying) THEN
        o_status := 'retry';
        o_revision := NULL; o_transaction_id := NULL; o_position := NULL;
        o_event_id := NULL; o_reason := NULL;
      ELSE
        SELECT * INTO v_refusal
          FROM ${s}.append_refusal(v_stream, v_expected, p_ids[v_first:v_last]);
        o_status := v_refusal.o_status;
        o_revision := v_refusal.o_revision;
        o_transaction_id := v_refusal.o_transaction_id;
        o_position := v_refusal.o_position;
        o_event_id := v_refusal.o_event_id;
        o_reason := v_refusal.o_reason;
        IF o_status = 'retry' THEN
          v_retrying := v_retrying || v_stream;
        END IF;
      END IF;
      RETURN NEXT;
      v_first := v_last + 1;
    END LOOP;
    IF p_lock_timeout IS NOT NULL THEN
      PERFORM set_config('lock_timeout', v_lock_timeout, true);
    END IF;
  END
  $fn$`;
}

/** The call. Params: $1 streams, $2 expected, $3 event counts, $4 ids, $5 types, $6 bodies
 *  (the events of every append, one after another), $7 the lock timeout (e.g. '100ms'; null:
 *  the session's own, for a statement inside a caller's transaction, which a timeout would
 *  abort whole). */
export function appendBatchSql(schema: string): string {
  return `SELECT o_index, o_status, o_revision, o_transaction_id, o_position, o_event_id, o_reason
    FROM ${quoteIdent(schema)}.append_batch($1::text[], $2::text[], $3::integer[], $4::uuid[],
                                            $5::text[], $6::text[], $7::text)`;
}

/** One append's answer: as append_refusal gives it, or `appended`. */
export interface BatchRow extends Omit<AppendRow, 'o_status'> {
  readonly o_index: number;
  readonly o_status: AppendRow['o_status'] | 'appended';
}
