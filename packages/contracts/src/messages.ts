/**
 * What goes on Kafka's `newsroom.article-events.v1`: one message per stored event, keyed by
 * article id (so a partition keeps each article's events in stream order). The relay encodes it
 * from a stored row; every consumer decodes it with this codec. The value carries everything an
 * auditor needs to check the event against the store's hash chain. A changed shape is a new
 * `schema` (`.v2`), never a tightened v1: messages are kept on the topic.
 *
 * `event` and `metadata` are the stored values as the record codecs read them. Those codecs
 * give back every stored row unchanged (texts are stored in NFC, ids in lower case, defaults
 * filled in), which is what lets the hash be recomputed from a message; a record codec that
 * would change a stored value (a default for old rows) comes with a v2 carrying the stored
 * JSON as it is.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Either } from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describeErrors } from './problem.js';
import { strict } from './codec.js';
import { ArticleEvent, EventMetadata, TraceParent } from './events.js';
import { IsoDateTime, patternText, Uuid } from './text.js';

export const ARTICLE_EVENTS_TOPIC = 'newsroom.article-events.v1';

/** A bigint as decimal text (JSON has no 64-bit integers). */
const DecimalText = patternText(
  'DecimalText',
  /^(0|[1-9]\d{0,19})$/,
  20,
  'expected a decimal integer',
);

/** A SHA-256 hash as 64 lower-case hex digits. */
export const Sha256Hex = patternText(
  'Sha256Hex',
  /^[0-9a-f]{64}$/,
  64,
  'expected 64 lower-case hex digits',
);

export const ArticleEventMessage = strict(
  {
    schema: t.literal('newsroom.article-event.v1'),
    eventId: Uuid,
    articleId: Uuid,
    streamName: t.string,
    /** The event's revision in its stream, from 0. */
    revision: DecimalText,
    /** Its place in the store's global log: (transaction id, sequence). */
    position: strict({ transactionId: DecimalText, sequence: DecimalText }, {}, 'LogPosition'),
    recordedAt: IsoDateTime,
    /** The hash chain: this event's hash and its stream predecessor's (zeros for the first). */
    hash: Sha256Hex,
    previousHash: Sha256Hex,
    event: ArticleEvent,
    metadata: EventMetadata,
  },
  {},
  'ArticleEventMessage',
);
export type ArticleEventMessage = t.TypeOf<typeof ArticleEventMessage>;

/** Kafka headers beside the value: enough to route or drop a message without decoding it. */
export const ArticleEventHeaders = strict(
  { 'event-id': Uuid, 'event-type': t.string },
  {
    /** W3C trace context, when the command that caused the event carried one. */
    traceparent: TraceParent,
  },
  'ArticleEventHeaders',
);
export type ArticleEventHeaders = t.TypeOf<typeof ArticleEventHeaders>;

/** The fields of a stored row the message is made from (the store's RecordedEvent). */
export interface RecordedRow {
  readonly id: string;
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: { readonly transactionId: bigint; readonly sequence: bigint };
  readonly recordedAt: Date;
  readonly hash: string;
  readonly previousHash: string;
}

/** The message for a stored article event (already decoded with the record codecs). */
export const articleEventMessage = (
  row: RecordedRow,
  articleId: string,
  decoded: { readonly event: ArticleEvent; readonly metadata: EventMetadata },
): ArticleEventMessage => ({
  schema: 'newsroom.article-event.v1',
  eventId: row.id,
  articleId,
  streamName: row.streamName,
  revision: row.revision.toString(),
  position: {
    transactionId: row.position.transactionId.toString(),
    sequence: row.position.sequence.toString(),
  },
  recordedAt: row.recordedAt.toISOString(),
  hash: row.hash,
  previousHash: row.previousHash,
  event: decoded.event,
  metadata: decoded.metadata,
});

/** A message value as a consumer receives it; `left` says why it does not decode. */
export const decodeArticleEventMessage = (value: unknown): Either<string, ArticleEventMessage> =>
  E.mapLeft(describeErrors)(ArticleEventMessage.decode(value));

export const DEAD_LETTERS_TOPIC = 'newsroom.dead-letters.v1';

/**
 * Headers of a message on `newsroom.dead-letters.v1`. The key is the original key and the
 * value the original value, unchanged (it may be what could not be decoded); the headers say
 * who gave up on it, why, and where it came from: a topic, partition, offset and consumer
 * group, or (read from the store's log) a transaction id and sequence.
 */
export const DeadLetterHeaders = strict(
  {
    'dead-letter-schema': t.literal('newsroom.dead-letter.v1'),
    'dead-letter-processor': t.string,
    'dead-letter-reason': t.string,
    'dead-letter-attempts': DecimalText,
    'event-type': t.string,
  },
  {
    'event-id': t.string,
    'source-topic': t.string,
    'source-partition': DecimalText,
    'source-offset': DecimalText,
    'source-group': t.string,
    'source-transaction-id': DecimalText,
    'source-sequence': DecimalText,
  },
  'DeadLetterHeaders',
);
export type DeadLetterHeaders = t.TypeOf<typeof DeadLetterHeaders>;
