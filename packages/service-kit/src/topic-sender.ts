/**
 * A processor that only ticks and sends a numbered log (rows numbered 1, 2, ... in a table of
 * the service's own) to a Kafka topic: one active instance (its lock), which sends the rows
 * after its checkpoint in order, then moves the checkpoint. At least once: a send cut off
 * before its checkpoint moved is sent again, and the row's number (in a header) tells a
 * consumer it has seen it.
 */
import type { SqlDriver } from '@newsroom/event-store';
import { quoteIdent, sqlState } from '@newsroom/event-store';
import type { Publisher } from '@newsroom/messaging';
import { ack } from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';

export interface TopicMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TopicSenderOptions<R> {
  readonly name: string;
  /** The service's schema, unquoted. */
  readonly schema: string;
  /** Its checkpoint table, in that schema (made by the sender's migration). */
  readonly progressTable: string;
  readonly sql: SqlDriver;
  readonly publisher: Publisher;
  readonly topic: string;
  /** Rows numbered after `after`, in order, at most `limit` (a missing table: none yet). */
  readonly readAfter: (after: number, limit: number) => Promise<readonly R[]>;
  readonly numberOf: (row: R) => number;
  readonly message: (row: R) => TopicMessage;
  readonly intervalMs?: number;
  readonly batchSize?: number;
}

export const topicSender = <R>(options: TopicSenderOptions<R>): Processor => {
  const progress = `${quoteIdent(options.schema)}.${quoteIdent(options.progressTable)}`;
  const batch = options.batchSize ?? 500;
  return {
    name: options.name,
    version: 1,
    schema: options.schema,
    canHandle: () => false, // its work is the service's own log, not the events
    source: 'store',
    effects: 'external',
    migrations: [
      {
        version: 1,
        name: `the checkpoint of ${options.name}`,
        statements: (s) => [
          `CREATE TABLE ${s}.${quoteIdent(options.progressTable)} (
             one boolean PRIMARY KEY DEFAULT true CHECK (one),
             seq bigint  NOT NULL)`,
          `INSERT INTO ${s}.${quoteIdent(options.progressTable)} (seq) VALUES (0)`,
        ],
      },
    ],
    handle: async () => ack,
    truncate: async () => undefined,
    tick: {
      intervalMs: options.intervalMs ?? 50,
      run: async () => {
        for (;;) {
          const { rows } = await options.sql.query<{ seq: string }>(
            `SELECT seq::text AS seq FROM ${progress}`,
          );
          let items;
          try {
            items = await options.readAfter(Number(rows[0]?.seq ?? 0), batch);
          } catch (error) {
            if (sqlState(error) === '42P01') return; // the log's tables are not made yet
            throw error;
          }
          const last = items[items.length - 1];
          if (last === undefined) return;
          await options.publisher.send(options.topic, items.map(options.message));
          await options.sql.query(`UPDATE ${progress} SET seq = $1 WHERE seq < $1`, [
            options.numberOf(last),
          ]);
          if (items.length < batch) return;
        }
      },
    },
  };
};
