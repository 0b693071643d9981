/**
 * The public topic `newsroom.syndication.v1`, fed from the syndication log by a processor that
 * only ticks: one active instance (its lock), which sends the changes after its checkpoint in
 * the log's order and then moves the checkpoint. Key: the article's URI (one partition per
 * article: its changes in order); value: the ninjs document; headers: `event-type`
 * (article.published|corrected|unpublished|retracted), `syndication-seq` (the change's number)
 * and `timestamp`. At least once: a send cut off before its checkpoint moved is sent again,
 * and `syndication-seq` tells a consumer it has seen it.
 */
import type { SqlDriver } from '@newsroom/event-store';
import { quoteIdent, sqlState } from '@newsroom/event-store';
import type { Publisher } from '@newsroom/messaging';
import { ack } from '@newsroom/processing';
import type { Processor } from '@newsroom/processing';
import { readChangesAfter } from '../changes/read-changes.js';

export const PUBLIC_TOPIC = 'syndication.public-topic';

export interface PublicTopicOptions {
  readonly schema: string;
  readonly sql: SqlDriver;
  readonly publisher: Publisher;
  readonly topic: string;
  readonly intervalMs?: number;
}

export const publicTopicProcessor = (options: PublicTopicOptions): Processor => {
  const progress = `${quoteIdent(options.schema)}.public_topic_progress`;
  return {
    name: PUBLIC_TOPIC,
    version: 1,
    schema: options.schema,
    canHandle: () => false, // its work is the syndication log, not the events
    source: 'store',
    effects: 'external',
    migrations: [
      {
        version: 1,
        name: 'the public topic checkpoint',
        statements: (s) => [
          `CREATE TABLE ${s}.public_topic_progress (
             one boolean PRIMARY KEY DEFAULT true CHECK (one),
             seq bigint  NOT NULL)`,
          `INSERT INTO ${s}.public_topic_progress (seq) VALUES (0)`,
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
          const after = Number(rows[0]?.seq ?? 0);
          let changes;
          try {
            changes = await readChangesAfter(options.sql, options.schema, after, 500);
          } catch (error) {
            if (sqlState(error) === '42P01') return; // the log's tables are not made yet
            throw error;
          }
          if (changes.length === 0) return;
          await options.publisher.send(
            options.topic,
            changes.map((c) => ({
              key: String(c.document.uri),
              value: JSON.stringify(c.document),
              headers: {
                'event-type': c.type,
                'syndication-seq': String(c.seq),
                timestamp: c.timestamp,
              },
            })),
          );
          await options.sql.query(`UPDATE ${progress} SET seq = $1 WHERE seq < $1`, [
            changes[changes.length - 1]!.seq,
          ]);
          if (changes.length < 500) return;
        }
      },
    },
  };
};
