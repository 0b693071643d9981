/** SQL text and row mapping shared by the store, verifyIntegrity and the tests. */
import type { Position, RecordedEvent } from '../port.js';
import { quoteIdent } from './driver.js';

/** Every column read back as text: the two drivers then agree on every value. */
export const EVENT_COLUMNS = `e.transaction_id::text AS transaction_id, e.position::text AS position,
  e.stream_name, e.revision::text AS revision, e.event_id::text AS event_id, e.event_type,
  e.body::text AS body, (extract(epoch FROM e.recorded_at) * 1000)::bigint::text AS recorded_ms,
  encode(e.previous_hash, 'hex') AS previous_hash, encode(e.hash, 'hex') AS hash`;

export interface EventRow {
  readonly transaction_id: string;
  readonly position: string;
  readonly stream_name: string;
  readonly revision: string;
  readonly event_id: string;
  readonly event_type: string;
  /** Canonical JSON of { data, eventId, metadata, type }. */
  readonly body: string;
  readonly recorded_ms: string;
  readonly previous_hash: string;
  readonly hash: string;
}

interface Body {
  readonly data?: unknown;
  readonly metadata?: unknown;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  const body = JSON.parse(row.body) as Body;
  return {
    id: row.event_id,
    type: row.event_type,
    streamName: row.stream_name,
    revision: BigInt(row.revision),
    position: { transactionId: BigInt(row.transaction_id), sequence: BigInt(row.position) },
    data: body.data,
    metadata: body.metadata ?? null,
    recordedAt: new Date(Number(row.recorded_ms)),
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}

/**
 * Gap-free global read: strictly after the cursor, in (transaction id, position) order, and
 * only below the oldest transaction still running, whose events may yet commit.
 * Params: $1 transaction id (text), $2 position, $3 limit.
 */
export function readAllSql(schema: string): string {
  return `SELECT ${EVENT_COLUMNS}
    FROM ${quoteIdent(schema)}.events e
   WHERE (e.transaction_id, e.position) > ($1::xid8, $2::bigint)
     AND e.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
   ORDER BY e.transaction_id, e.position
   LIMIT $3`;
}

/** The last committed event in readAll order (readAll delivers it once every transaction
 *  older than it has ended). No params. */
export function readHeadSql(schema: string): string {
  return `SELECT e.transaction_id::text AS transaction_id, e.position::text AS position,
      (extract(epoch FROM e.recorded_at) * 1000)::bigint::text AS recorded_ms
    FROM ${quoteIdent(schema)}.events e
   ORDER BY e.transaction_id DESC, e.position DESC
   LIMIT 1`;
}

export const ZERO_HASH_SQL = `'\\x${'0'.repeat(64)}'::bytea`;

/**
 * What an event's hash covers after the previous hash (see ../hash.ts), as UTF-8:
 * "<stream>:<revision>:<recorded_at in integer epoch ms>:<canonical JSON body>".
 */
export function hashInputSql(stream: string, revision: string, at: string, body: string): string {
  return (
    `convert_to(${stream} || ':' || ${revision}::text || ':' || ` +
    `(extract(epoch FROM ${at}) * 1000)::bigint::text || ':' || ${body}, 'UTF8')`
  );
}

/** The stream's last event as the statement's snapshot sees it, or a row of nulls. */
const headJoin = (s: string): string => `FROM (SELECT) AS one
    LEFT JOIN LATERAL (
          SELECT e.revision, e.hash, e.recorded_at, e.transaction_id
            FROM ${s}.events e
           WHERE e.stream_name = $1::text
           ORDER BY e.revision DESC
           LIMIT 1) AS h ON true`;

/**
 * Expected revision ($2: any, no_stream, stream_exists, or the decimal text of an exact
 * revision) and the rule that a stream's events never sort before their predecessors in
 * readAll. An append whose transaction id is older than the stream's last writer's would break
 * it (a longer transaction; or, under load, a single statement whose id was handed out before a
 * concurrent append's, which then committed first), and gets serialization_failure instead;
 * the store runs a single-statement append again (a new statement, a newer id).
 */
const checks = (s: string): string => `CASE $2::text
           WHEN 'any' THEN true
           WHEN 'no_stream' THEN h.revision IS NULL
           WHEN 'stream_exists' THEN h.revision IS NOT NULL
           ELSE h.revision::text = $2::text
         END
     AND (h.transaction_id IS NULL OR h.transaction_id <= pg_current_xact_id()
          OR ${s}.raise_newer_transaction($1::text))`;

/** recorded_at: milliseconds (what a JS Date holds), never before the stream's previous event. */
const recordedAt = `greatest(date_trunc('milliseconds', clock_timestamp()), h.recorded_at)`;

/**
 * The hot path: one event, one statement, one round trip. It reads the stream head, checks
 * the expected revision, chains the hash and inserts; it returns one row, or none when it
 * refused (then appendRefusalSql says why). Idempotency and concurrent appends to one stream
 * are both arbitrated by the unique indexes, without an error: `ON CONFLICT DO NOTHING` leaves
 * out an event whose id is stored (a retry) or whose revision a concurrent append took (it
 * waits for that one's commit first), and append_refusal then tells which (run again on a
 * fresh snapshot, or answered as a retry). No probe of the id before the insert, and no
 * unique_violation that would abort a caller's transaction.
 * Params: $1 stream, $2 expected, $3 event id, $4 type, $5 canonical body.
 */
export function appendEventSql(schema: string): string {
  const s = quoteIdent(schema);
  return `INSERT INTO ${s}.events AS x (transaction_id, stream_name, revision, event_id, event_type,
                                   body, recorded_at, previous_hash, hash)
  SELECT pg_current_xact_id(), $1::text, v.next, $3::uuid, $4::text, $5::text::json, v.at, v.prev,
         sha256(v.prev || ${hashInputSql('$1::text', 'v.next', 'v.at', '$5::text')})
    ${headJoin(s)}
   CROSS JOIN LATERAL (
          SELECT coalesce(h.revision, -1) + 1 AS next,
                 coalesce(h.hash, ${ZERO_HASH_SQL}) AS prev,
                 ${recordedAt} AS at) AS v
   WHERE ${checks(s)}
  ON CONFLICT DO NOTHING
  RETURNING x.revision::text AS revision, x.transaction_id::text AS transaction_id,
            x.position::text AS position`;
}

/** The same for a batch. Params: $1 stream, $2 expected, $3 ids, $4 types, $5 bodies. */
export function appendEventsSql(schema: string): string {
  const s = quoteIdent(schema);
  return `WITH v AS MATERIALIZED (
    SELECT coalesce(h.revision, -1) AS base, coalesce(h.hash, ${ZERO_HASH_SQL}) AS prev,
           ${recordedAt} AS at
    ${headJoin(s)}
     WHERE NOT EXISTS (SELECT 1 FROM ${s}.events d WHERE d.event_id = ANY ($3::uuid[]))
       AND ${checks(s)}
  ),
  c AS MATERIALIZED (
    SELECT v.base, v.prev, v.at,
           ${s}.chain_hashes(v.prev, $1::text, v.base + 1, v.at, $5::text[]) AS hashes
      FROM v
  )
  INSERT INTO ${s}.events AS x (transaction_id, stream_name, revision, event_id, event_type,
                                 body, recorded_at, previous_hash, hash)
  SELECT pg_current_xact_id(), $1::text, c.base + u.ord, u.id, u.type, u.body::json, c.at,
         CASE WHEN u.ord = 1 THEN c.prev ELSE c.hashes[u.ord - 1] END, c.hashes[u.ord]
    FROM c
   CROSS JOIN unnest($3::uuid[], $4::text[], $5::text[]) WITH ORDINALITY AS u(id, type, body, ord)
   ORDER BY u.ord
  RETURNING x.revision::text AS revision, x.transaction_id::text AS transaction_id,
            x.position::text AS position`;
}

export interface InsertedRow {
  readonly revision: string;
  readonly transaction_id: string;
  readonly position: string;
}

/** Why an append inserted nothing. Params: $1 stream, $2 expected, $3 ids. */
export function appendRefusalSql(schema: string): string {
  return `SELECT o_status, o_revision, o_transaction_id, o_position, o_event_id, o_reason
    FROM ${quoteIdent(schema)}.append_refusal($1::text, $2::text, $3::uuid[])`;
}

export interface AppendRow {
  readonly o_status:
    'ok' | 'idempotent' | 'wrong_expected_version' | 'idempotency_conflict' | 'retry';
  readonly o_revision: string | null;
  readonly o_transaction_id: string | null;
  readonly o_position: string | null;
  readonly o_event_id: string | null;
  readonly o_reason: string | null;
}

export const positionParams = (p: Position): [string, string] => [
  p.transactionId.toString(),
  p.sequence.toString(),
];
