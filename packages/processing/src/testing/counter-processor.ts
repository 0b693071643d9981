/**
 * A processor for the runtime's own tests: per stream, how many events it applied
 * (`counts.applied = applied + 1`, not idempotent by itself) and one `effects` row per applied
 * event (no unique key), so an event applied twice shows as a count too high and a second row.
 * Each row names the instance (`by`) that wrote it. `onApplied` runs inside the transaction
 * after each event's writes: a test holds a batch open there, fails it, or kills the process.
 */
import type { ArticleEventMessage } from '@newsroom/contracts';
import type { HandleContext, Processor } from '../processor.js';
import { ack, handlesAll } from '../processor.js';

export interface CounterProcessorOptions {
  /** The processor's own schema (unquoted). */
  readonly schema: string;
  readonly name?: string;
  readonly version?: number;
  /** Written into every effect row: which instance applied it. */
  readonly by?: string;
  readonly canHandle?: (eventType: string) => boolean;
  readonly onApplied?: (message: ArticleEventMessage, context: HandleContext) => Promise<void>;
}

export const counterProcessor = (options: CounterProcessorOptions): Processor => ({
  name: options.name ?? 'counter',
  version: options.version ?? 1,
  schema: options.schema,
  canHandle: options.canHandle ?? handlesAll,
  migrations: [
    {
      version: 1,
      name: 'counts and effects',
      statements: (s) => [
        `CREATE TABLE ${s}.counts (stream_name text PRIMARY KEY, applied integer NOT NULL)`,
        `CREATE TABLE ${s}.effects (stream_name text NOT NULL, revision bigint NOT NULL, by text)`,
      ],
    },
  ],
  handle: async (batch, context) => {
    const { sql, schema } = context;
    for (const message of batch) {
      await sql.query(
        `INSERT INTO ${schema}.counts AS c (stream_name, applied) VALUES ($1, 1)
         ON CONFLICT (stream_name) DO UPDATE SET applied = c.applied + 1`,
        [message.streamName],
      );
      await sql.query(
        `INSERT INTO ${schema}.effects (stream_name, revision, by) VALUES ($1, $2::bigint, $3)`,
        [message.streamName, message.revision, options.by ?? null],
      );
      await options.onApplied?.(message, context);
    }
    return ack;
  },
  truncate: async ({ sql, schema }) => {
    await sql.query(`TRUNCATE ${schema}.counts, ${schema}.effects`);
  },
});
