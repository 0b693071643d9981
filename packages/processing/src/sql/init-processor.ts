/**
 * Creates a processor's schema, the runtime's bookkeeping tables in it (progress, processed
 * marks, migrations) and applies the processor's own migrations it has not had yet, under a
 * transaction-scoped advisory lock so that instances starting together apply each once.
 * Answers the version its read model was built by (0 for a new one).
 */
import type { SqlDriver } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { Processor } from '../processor.js';

const bookkeeping = (s: string): readonly string[] => [
  `CREATE SCHEMA IF NOT EXISTS ${s}`,
  // One row per processor: the version its read model was built by, its fencing token and,
  // when it reads the store's log, its position there.
  `CREATE TABLE IF NOT EXISTS ${s}.processor_progress (
     name           text        PRIMARY KEY,
     version        integer     NOT NULL,
     fence          bigint      NOT NULL DEFAULT 0,
     transaction_id xid8        NOT NULL DEFAULT '0',
     position       bigint      NOT NULL DEFAULT 0,
     owner          text,
     updated_at     timestamptz NOT NULL DEFAULT now())`,
  // The last revision of each stream a processor applied: a message seen again is skipped.
  `CREATE TABLE IF NOT EXISTS ${s}.processor_marks (
     processor   text   NOT NULL,
     stream_name text   COLLATE "C" NOT NULL,
     revision    bigint NOT NULL,
     PRIMARY KEY (processor, stream_name))`,
  `CREATE TABLE IF NOT EXISTS ${s}.processor_migrations (
     processor  text        NOT NULL,
     version    integer     NOT NULL,
     name       text        NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (processor, version))`,
];

export const initProcessor = async (
  sql: SqlDriver,
  processor: Processor,
): Promise<{ readonly builtByVersion: number; readonly applied: readonly number[] }> => {
  const s = quoteIdent(processor.schema);
  return sql.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `processing:init:${processor.schema}`,
    ]);
    for (const statement of bookkeeping(s)) await tx.query(statement);
    const { rows } = await tx.query<{ version: number }>(
      `SELECT version FROM ${s}.processor_migrations WHERE processor = $1`,
      [processor.name],
    );
    const have = new Set(rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of [...processor.migrations].sort((a, b) => a.version - b.version)) {
      if (have.has(m.version)) continue;
      for (const statement of m.statements(s)) await tx.query(statement);
      await tx.query(
        `INSERT INTO ${s}.processor_migrations (processor, version, name) VALUES ($1, $2, $3)`,
        [processor.name, m.version, m.name],
      );
      applied.push(m.version);
    }
    // A new processor is "built by version 0": its first active instance rebuilds it, so
    // tables left by an earlier deployment (or a hand-rolled predecessor) start clean.
    const progress = await tx.query<{ version: number }>(
      `INSERT INTO ${s}.processor_progress (name, version) VALUES ($1, 0)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
       RETURNING version`,
      [processor.name],
    );
    return { builtByVersion: Number(progress.rows[0]?.version), applied };
  });
};
