/**
 * Tree heads on the public topic (`newsroom.syndication.v1` by default), beside the articles,
 * so that every consumer that keeps the topic keeps the log's heads too. Key
 * `tree-head:<origin>` (one partition: the heads in order); value the head as JSON with its
 * signed note (`schema: newsroom.tree-head.v1`); headers `event-type: tree-head`,
 * `tree-head-number` and `timestamp`.
 */
import type { SqlDriver } from '@newsroom/event-store';
import { quoteIdent } from '@newsroom/event-store';
import type { Publisher } from '@newsroom/messaging';
import type { Processor } from '@newsroom/processing';
import { topicSender } from '@newsroom/service-kit';
import { headsAfter, treeHeadJson } from '../tree/sql/heads.js';

export const TREE_HEADS_TOPIC = 'audit.tree-heads-topic';

export const treeHeadsTopicProcessor = (options: {
  readonly schema: string;
  readonly sql: SqlDriver;
  readonly publisher: Publisher;
  readonly topic: string;
  readonly origin: string;
}): Processor =>
  topicSender({
    name: TREE_HEADS_TOPIC,
    schema: options.schema,
    progressTable: 'tree_heads_topic_progress',
    sql: options.sql,
    publisher: options.publisher,
    topic: options.topic,
    intervalMs: 250,
    readAfter: (after, limit) => headsAfter(options.sql, quoteIdent(options.schema), after, limit),
    numberOf: (h) => h.number,
    message: (h) => ({
      key: `tree-head:${options.origin}`,
      value: JSON.stringify({
        schema: 'newsroom.tree-head.v1',
        origin: options.origin,
        ...treeHeadJson(h),
      }),
      headers: {
        'event-type': 'tree-head',
        'tree-head-number': String(h.number),
        timestamp: h.time,
      },
    }),
  });
