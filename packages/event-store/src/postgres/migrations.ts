/**
 * Versioned, idempotent migrations for one schema. Every statement is plain PostgreSQL 15
 * (PGlite runs 18 and takes the same text). `migrate` takes a transaction-scoped advisory lock
 * first, so two processes starting at once apply each version exactly once: the second waits,
 * then finds the versions recorded and does nothing.
 */
import { createHash } from 'node:crypto';
import type { SqlDriver } from './driver.js';
import { quoteIdent } from './driver.js';
import { appendBatchFunction } from './append-batch.js';
import { hashInputSql } from './sql.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements run in order inside the migration transaction (one per query: no multi-statement strings). */
  readonly statements: (schema: string) => readonly string[];
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`schema name must match ${SCHEMA_NAME.source}: ${JSON.stringify(schema)}`);
  }
}

/** A per-schema advisory lock key (for sealing), so that schemas do not contend. */
export function lockSeed(schema: string): string {
  return createHash('sha256').update(`event-store:${schema}`).digest().readBigInt64BE(0).toString();
}

export const ZERO_HASH_HEX = '0'.repeat(64);

/** Triggers that refuse UPDATE, DELETE and TRUNCATE on `table` (with rejectChangeFunction). */
export const appendOnlyTriggers = (s: string, table: string): string[] => [
  `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${s}.${table}
     FOR EACH STATEMENT EXECUTE FUNCTION ${s}.reject_change()`,
  `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${s}.${table}
     FOR EACH STATEMENT EXECUTE FUNCTION ${s}.reject_change()`,
];

/** The function append-only triggers call: it refuses the statement, naming it. */
export const rejectChangeFunction = (s: string): string =>
  `CREATE FUNCTION ${s}.reject_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
         BEGIN
           RAISE EXCEPTION 'append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
             USING ERRCODE = 'restrict_violation';
         END
         $fn$`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, append-only triggers, hash chain helpers, checkpoints',
    statements: (schema) => {
      const s = quoteIdent(schema);
      const result = `RETURNS TABLE (o_status text, o_revision text, o_transaction_id text,
                       o_position text, o_event_id text, o_reason text)`;
      return [
        `CREATE TABLE ${s}.events (
           transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
           position       bigserial   NOT NULL,
           stream_name    text        COLLATE "C" NOT NULL,
           revision       bigint      NOT NULL CHECK (revision >= 0),
           event_id       uuid        NOT NULL,
           event_type     text        NOT NULL,
           body           json        NOT NULL,
           recorded_at    timestamptz NOT NULL,
           previous_hash  bytea       NOT NULL,
           hash           bytea       NOT NULL,
           CONSTRAINT events_pkey PRIMARY KEY (transaction_id, position),
           CONSTRAINT events_event_id_key UNIQUE (event_id),
           CONSTRAINT events_stream_revision_key UNIQUE (stream_name, revision)
         )`,
        `COMMENT ON COLUMN ${s}.events.body IS
           'RFC 8785 canonical JSON of {data, eventId, metadata, type}, exactly the bytes hashed'`,
        rejectChangeFunction(s),
        ...appendOnlyTriggers(s, 'events'),
        `CREATE FUNCTION ${s}.raise_newer_transaction(p_stream text) RETURNS boolean
         LANGUAGE plpgsql AS $fn$
         BEGIN
           RAISE EXCEPTION 'stream % was appended to by a transaction newer than this one; retry in a new transaction', p_stream
             USING ERRCODE = 'serialization_failure';
         END
         $fn$`,
        // The hash chain of a batch, as the single-event append computes it for one event.
        `CREATE FUNCTION ${s}.chain_hashes(p_previous bytea, p_stream text, p_first bigint,
                                           p_at timestamptz, p_bodies text[])
         RETURNS bytea[] LANGUAGE plpgsql IMMUTABLE STRICT AS $fn$
         DECLARE
           v_hashes bytea[] := '{}';
           v_hash bytea := p_previous;
         BEGIN
           FOR i IN 1..coalesce(cardinality(p_bodies), 0) LOOP
             v_hash := sha256(v_hash || ${hashInputSql('p_stream', '(p_first + i - 1)', 'p_at', 'p_bodies[i]')});
             v_hashes[i] := v_hash;
           END LOOP;
           RETURN v_hashes;
         END
         $fn$`,
        // Why an append inserted nothing (a second query, off the hot path): a retry
        // (idempotent when every id is stored in this stream, consecutively, in order), a
        // wrong expected revision, an empty batch, or 'retry' when the state moved since.
        `CREATE FUNCTION ${s}.append_refusal(p_stream text, p_expected text, p_ids uuid[])
         ${result}
         LANGUAGE plpgsql AS $fn$
         DECLARE
           v_row record;
           v_last bigint;
           v_rev bigint;
           v_xid xid8;
           v_pos bigint;
         BEGIN
           IF cardinality(p_ids) > 0
              AND EXISTS (SELECT 1 FROM ${s}.events e WHERE e.event_id = ANY (p_ids)) THEN
             FOR v_row IN
               SELECT u.ord, u.id, e.stream_name, e.revision, e.transaction_id, e.position
                 FROM unnest(p_ids) WITH ORDINALITY AS u(id, ord)
                 LEFT JOIN ${s}.events e ON e.event_id = u.id
                ORDER BY u.ord
             LOOP
               o_event_id := v_row.id::text;
               IF v_row.stream_name IS NULL THEN
                 o_reason := 'partial overlap: this event is new but others of the batch are stored';
               ELSIF v_row.stream_name <> p_stream THEN
                 o_reason := 'event id already stored in stream ' || v_row.stream_name;
               ELSIF v_row.ord > 1 AND v_row.revision <> v_last + 1 THEN
                 o_reason := 'partial overlap: the stored events are not this batch, in this order';
               END IF;
               IF o_reason IS NOT NULL THEN
                 o_status := 'idempotency_conflict';
                 RETURN NEXT;
                 RETURN;
               END IF;
               v_last := v_row.revision;
               o_revision := v_row.revision::text;
               o_transaction_id := v_row.transaction_id::text;
               o_position := v_row.position::text;
             END LOOP;
             o_status := 'idempotent';
             o_event_id := NULL;
             RETURN NEXT;
             RETURN;
           END IF;

           SELECT e.revision, e.transaction_id, e.position INTO v_rev, v_xid, v_pos
             FROM ${s}.events e WHERE e.stream_name = p_stream ORDER BY e.revision DESC LIMIT 1;
           IF (p_expected = 'no_stream' AND v_rev IS NOT NULL)
              OR (p_expected = 'stream_exists' AND v_rev IS NULL)
              OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists')
                  AND v_rev::text IS DISTINCT FROM p_expected) THEN
             o_status := 'wrong_expected_version';
             o_revision := v_rev::text;
             RETURN NEXT;
             RETURN;
           END IF;
           IF coalesce(cardinality(p_ids), 0) = 0 THEN
             o_status := 'ok';
             o_revision := coalesce(v_rev, -1)::text;
             o_transaction_id := coalesce(v_xid::text, '0');
             o_position := coalesce(v_pos, 0)::text;
             RETURN NEXT;
             RETURN;
           END IF;
           o_status := 'retry';
           RETURN NEXT;
         END
         $fn$`,
        `CREATE TABLE ${s}.checkpoints (
           subscription_name text        PRIMARY KEY,
           stream_name       text        COLLATE "C",
           transaction_id    xid8,
           position          bigint,
           revision          bigint,
           updated_at        timestamptz NOT NULL DEFAULT now()
         )`,
      ];
    },
  },
  {
    version: 2,
    name: 'seals over the global log',
    statements: (schema) => {
      const s = quoteIdent(schema);
      const seed = lockSeed(`${schema}:seal`);
      return [
        `CREATE TABLE ${s}.seals (
           seal_number         bigint      PRIMARY KEY,
           last_transaction_id xid8        NOT NULL,
           last_position       bigint      NOT NULL,
           event_count         bigint      NOT NULL,
           digest              bytea       NOT NULL,
           previous_hash       bytea       NOT NULL,
           hash                bytea       NOT NULL,
           sealed_at           timestamptz NOT NULL DEFAULT now()
         )`,
        ...appendOnlyTriggers(s, 'seals'),
        // Extends the running digest over every event (in readAll order) that is below the
        // oldest running transaction and not sealed yet, then chains a seal on it.
        `CREATE FUNCTION ${s}.seal(p_max_events integer)
         RETURNS TABLE (o_seal_number text, o_event_count text, o_last_transaction_id text,
                        o_last_position text, o_hash text)
         LANGUAGE plpgsql AS $fn$
         DECLARE
           v_number bigint := 0;
           v_last_xid xid8 := '0'::xid8;
           v_last_pos bigint := 0;
           v_count bigint := 0;
           v_digest bytea := '\\x${ZERO_HASH_HEX}'::bytea;
           v_prev bytea := '\\x${ZERO_HASH_HEX}'::bytea;
           v_horizon xid8;
           v_added bigint := 0;
           v_hash bytea;
           v_row record;
         BEGIN
           PERFORM pg_advisory_xact_lock(${seed});
           SELECT seal_number, last_transaction_id, last_position, event_count, digest, hash
             INTO v_number, v_last_xid, v_last_pos, v_count, v_digest, v_prev
             FROM ${s}.seals ORDER BY seal_number DESC LIMIT 1;
           IF NOT FOUND THEN
             v_number := 0; v_last_xid := '0'::xid8; v_last_pos := 0; v_count := 0;
             v_digest := '\\x${ZERO_HASH_HEX}'::bytea; v_prev := '\\x${ZERO_HASH_HEX}'::bytea;
           END IF;
           v_horizon := pg_snapshot_xmin(pg_current_snapshot());
           FOR v_row IN
             SELECT e.transaction_id, e.position, e.hash FROM ${s}.events e
              WHERE (e.transaction_id, e.position) > (v_last_xid, v_last_pos)
                AND e.transaction_id < v_horizon
              ORDER BY e.transaction_id, e.position
              LIMIT p_max_events
           LOOP
             v_digest := sha256(v_digest || v_row.hash);
             v_last_xid := v_row.transaction_id;
             v_last_pos := v_row.position;
             v_added := v_added + 1;
           END LOOP;
           IF v_added = 0 THEN
             RETURN;
           END IF;
           v_number := v_number + 1;
           v_count := v_count + v_added;
           v_hash := sha256(v_prev || convert_to(v_number::text || ':' || v_last_xid::text || ':'
                             || v_last_pos::text || ':' || v_count::text || ':', 'UTF8') || v_digest);
           INSERT INTO ${s}.seals (seal_number, last_transaction_id, last_position, event_count,
                                   digest, previous_hash, hash)
           VALUES (v_number, v_last_xid, v_last_pos, v_count, v_digest, v_prev, v_hash);
           o_seal_number := v_number::text;
           o_event_count := v_count::text;
           o_last_transaction_id := v_last_xid::text;
           o_last_position := v_last_pos::text;
           o_hash := encode(v_hash, 'hex');
           RETURN NEXT;
         END
         $fn$`,
      ];
    },
  },
  {
    version: 3,
    name: 'dead letters of processors fed by this store',
    statements: (schema) => {
      const s = quoteIdent(schema);
      // Not append-only: an operator may replay a dead letter and then delete it. The events
      // themselves stay untouched; this only records what a processor could not handle.
      return [
        `CREATE TABLE ${s}.dead_letters (
           id               bigserial   PRIMARY KEY,
           processor        text        NOT NULL,
           stream_name      text        COLLATE "C" NOT NULL,
           revision         bigint,
           event_id         text,
           event_type       text        NOT NULL,
           transaction_id   xid8,
           position         bigint,
           reason           text        NOT NULL,
           attempts         integer     NOT NULL,
           payload          text        NOT NULL,
           source           json        NOT NULL,
           dead_lettered_at timestamptz NOT NULL DEFAULT now(),
           CONSTRAINT dead_letters_once UNIQUE (processor, stream_name, revision)
         )`,
      ];
    },
  },
  {
    version: 4,
    name: 'group commit: many appends in one statement',
    statements: (schema) => [appendBatchFunction(schema)],
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** Brings `schema` up to the latest version. Safe to call from many processes at once. */
export async function migrate(driver: SqlDriver, schema: string): Promise<{ applied: number[] }> {
  assertSchemaName(schema);
  const s = quoteIdent(schema);
  return driver.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `event-store:migrate:${schema}`,
    ]);
    const encoding = await tx.query<{ server_encoding: string }>('SHOW server_encoding');
    if (encoding.rows[0]?.server_encoding !== 'UTF8') {
      throw new Error('the event store needs a UTF8 database: hashes are over UTF-8 bytes');
    }
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version    integer     PRIMARY KEY,
         name       text        NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = await tx.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`);
    const have = new Set(done.rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      if (have.has(m.version)) continue;
      for (const statement of m.statements(schema)) await tx.query(statement);
      await tx.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return { applied };
  });
}
