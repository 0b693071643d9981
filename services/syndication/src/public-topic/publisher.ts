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
import type { Publisher } from '@newsroom/messaging';
import type { Processor } from '@newsroom/processing';
import { topicSender } from '@newsroom/service-kit';
import { readChangesAfter } from '../changes/read-changes.js';

export const PUBLIC_TOPIC = 'syndication.public-topic';

export interface PublicTopicOptions {
  readonly schema: string;
  readonly sql: SqlDriver;
  readonly publisher: Publisher;
  readonly topic: string;
  readonly intervalMs?: number;
}

export const publicTopicProcessor = (options: PublicTopicOptions): Processor =>
  topicSender({
    name: PUBLIC_TOPIC,
    schema: options.schema,
    progressTable: 'public_topic_progress',
    sql: options.sql,
    publisher: options.publisher,
    topic: options.topic,
    ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
    readAfter: (after, limit) => readChangesAfter(options.sql, options.schema, after, limit),
    numberOf: (c) => Number(c.seq),
    message: (c) => ({
      key: String(c.document.uri),
      value: JSON.stringify(c.document),
      headers: {
        'event-type': c.type,
        'syndication-seq': String(c.seq),
        timestamp: c.timestamp,
      },
    }),
  });
