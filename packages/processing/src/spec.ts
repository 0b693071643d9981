/**
 * Given / when (delivered N times) / then, for a processor's read model, on a real database:
 * the `given` messages are applied once, the `when` messages are delivered `times` times over
 * (at-least-once delivery, as after a crash before a broker offset was committed), and `then`
 * looks at the tables. The messages travel the consumers' own path: encoded as a broker
 * value, decoded by the contract codec, applied by the runtime's batch applier with its
 * processed marks. Dead letters are collected in memory (a fake sink, named as such).
 */
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import type { ArticleEvent, ArticleEventMessage, EventMetadata } from '@newsroom/contracts';
import { articleStreamName } from '@newsroom/contracts';
import type { SqlDriver, SqlQueryable } from '@newsroom/event-store';
import { createBatchApplier } from './apply-batch.js';
import type { DeadLetter } from './dead-letters.js';
import { receivedDelivery } from './delivery.js';
import { processorMetrics } from './metrics.js';
import type { Processor } from './processor.js';
import { initProcessor } from './sql/init-processor.js';

const ZERO = '0'.repeat(64);

/**
 * The messages of one article's stream from `fromRevision` on, as the relay would publish them
 * (positions and hashes are placeholders: a projection does not read them).
 */
export const articleMessages = (
  articleId: string,
  events: readonly ArticleEvent[],
  options: { readonly fromRevision?: number; readonly metadata?: EventMetadata } = {},
): ArticleEventMessage[] =>
  events.map((event, i) => {
    const revision = (options.fromRevision ?? 0) + i;
    const at = 'at' in event.data ? event.data.at : '2026-01-01T00:00:00.000Z';
    return {
      schema: 'newsroom.article-event.v1',
      eventId: `00000000-0000-4000-8000-${String(revision).padStart(12, '0')}`,
      articleId,
      streamName: articleStreamName(articleId),
      revision: String(revision),
      position: { transactionId: '1', sequence: String(revision + 1) },
      recordedAt: at,
      hash: ZERO,
      previousHash: ZERO,
      event,
      metadata: options.metadata ?? {
        actor: event.data.by,
        commandId: `00000000-0000-4000-9000-${String(revision).padStart(12, '0')}`,
        commandType: revision === 0 ? 'CreateDraft' : 'ReviseDraft',
        correlationId: `correlation-${revision}`,
        causationId: `command-${revision}`,
        occurredAt: at,
      },
    } as ArticleEventMessage;
  });

export interface SpecOutcome {
  readonly sql: SqlQueryable;
  readonly deadLetters: readonly DeadLetter[];
}

export const processorSpec = (processor: Processor, sql: SqlDriver) => {
  const deadLetters: DeadLetter[] = [];
  const apply = createBatchApplier({
    processor,
    sql,
    deadLetters: { record: async (_tx, letters) => void deadLetters.push(...letters) },
    retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 5 },
    metrics: processorMetrics(new Registry()),
    log: () => undefined,
    stopping: () => false,
  });
  let offset = 0;
  const deliver = async (messages: readonly ArticleEventMessage[]) => {
    const deliveries = messages.map((m) =>
      receivedDelivery({
        key: m.articleId,
        value: JSON.stringify(m),
        eventType: m.event.type,
        origin: {
          kind: 'kafka',
          topic: 'spec',
          partition: 0,
          offset: String(offset++),
          group: 'spec',
        },
      }),
    );
    if (deliveries.length > 0) await apply(deliveries, undefined);
  };
  return {
    given: (...given: readonly ArticleEventMessage[]) => ({
      when: (
        when: readonly ArticleEventMessage[],
        options: {
          readonly times?: number;
          readonly oneByOne?: boolean;
          /** Dead letters are a failure of the spec unless it expects them. */
          readonly expectDeadLetters?: boolean;
        } = {},
      ) => ({
        then: async (assert: (outcome: SpecOutcome) => Promise<void>): Promise<void> => {
          await initProcessor(sql, processor);
          await deliver(given);
          for (let n = 0; n < (options.times ?? 1); n++) {
            if (options.oneByOne) for (const m of when) await deliver([m]);
            else await deliver(when);
          }
          if (deadLetters.length > 0 && options.expectDeadLetters !== true) {
            throw new Error(`dead-lettered: ${deadLetters.map((d) => d.reason).join(' | ')}`);
          }
          await assert({ sql, deadLetters });
        },
      }),
    }),
  };
};

/**
 * An event as a writer appends it to the store (`EventData`), of a type every reader decodes:
 * PublicationScheduled, with valid metadata. `n` varies its time. For tests and benchmarks
 * that need many stored events and do not care which.
 */
export const storedArticleEvent = (articleId: string, n: number) => {
  const event: ArticleEvent = {
    type: 'PublicationScheduled.v1',
    data: {
      articleId,
      at: new Date(Date.UTC(2026, 3, 8, 14, 0, n % 60)).toISOString(),
      by: { id: 'publisher.s', role: 'publisher' },
      embargo: false,
      releaseAt: '2030-01-01T00:00:00.000Z',
    },
  };
  const [message] = articleMessages(articleId, [event]);
  if (message === undefined) throw new Error('articleMessages gave no message');
  return eventDataOf(message);
};

/** A message as the event a writer appends (a fresh id; the store assigns the rest). */
export const eventDataOf = (message: ArticleEventMessage) => ({
  id: randomUUID(),
  type: message.event.type,
  data: message.event.data,
  metadata: message.metadata,
});
